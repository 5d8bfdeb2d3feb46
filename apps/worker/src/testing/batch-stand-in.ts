/**
 * @module testing/batch-stand-in
 * A local stand-in for AWS Batch, for the end-to-end test: an HTTP server on loopback that
 * answers the Batch API's SubmitJob as the real service does (so the trigger's own SDK client
 * talks to it), and runs each job as Batch would run the job definition: the worker command
 * with `Ref::<name>` replaced by the submitted parameters, in a child process, with the
 * variables Batch sets (AWS_BATCH_JOB_ID, AWS_BATCH_JOB_ATTEMPT). `retry` starts the next
 * attempt with its work folder emptied, as a new container on a new instance sees the same
 * path with nothing in it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as nodePath from 'node:path';

export interface StandInAttempt {
  attempt: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  workDir: string;
  /** Everything the attempt printed. */
  output: () => string;
}

export interface StandInJob {
  jobId: string;
  jobName: string;
  jobQueue: string;
  jobDefinition: string;
  parameters: Record<string, string>;
  attempts: StandInAttempt[];
}

export interface BatchStandIn {
  endpoint: string;
  jobs: StandInJob[];
  /** Starts the job's next attempt, as the job's retry strategy would after an interruption. */
  retry(job: StandInJob): StandInAttempt;
  stop(): Promise<void>;
}

export interface BatchStandInOptions {
  /** The job definition's command, `Ref::name` placeholders included. */
  command: readonly string[];
  /** The container's working directory. */
  cwd: string;
  /** The container's environment (the job definition's, plus credentials for the stand-in S3). */
  env: Record<string, string>;
  /** `<scratch>/<job id>`, emptied before each attempt, is the attempt's CARVE_WORK_DIR. */
  scratch: string;
}

/** Starts the stand-in on a free loopback port. */
export async function startBatchStandIn(options: BatchStandInOptions): Promise<BatchStandIn> {
  const jobs: StandInJob[] = [];
  const start = (job: StandInJob): StandInAttempt => {
    const attempt = job.attempts.length + 1;
    const workDir = nodePath.join(options.scratch, job.jobId);
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.mkdirSync(workDir, { recursive: true });
    const [program, ...args] = options.command.map((word) => word.replace(/^Ref::(.+)$/, (_, name: string) => job.parameters[name] ?? word));
    const child = spawn(program === 'node' ? process.execPath : program, args, {
      cwd: options.cwd,
      env: { ...options.env, AWS_BATCH_JOB_ID: job.jobId, AWS_BATCH_JOB_ATTEMPT: String(attempt), CARVE_WORK_DIR: workDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const run = { attempt, child, exited, workDir, output: () => output };
    job.attempts.push(run);
    return run;
  };

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const reply = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method !== 'POST' || req.url !== '/v1/submitjob') return reply(404, { message: `the stand-in answers SubmitJob only, not ${req.method} ${req.url}` });
      const input = JSON.parse(body) as { jobName: string; jobQueue: string; jobDefinition: string; parameters?: Record<string, string> };
      const job: StandInJob = { jobId: `job-${jobs.length + 1}`, jobName: input.jobName, jobQueue: input.jobQueue, jobDefinition: input.jobDefinition, parameters: input.parameters ?? {}, attempts: [] };
      jobs.push(job);
      start(job);
      reply(200, { jobArn: `arn:aws:batch:us-east-1:000000000000:job/${job.jobId}`, jobName: job.jobName, jobId: job.jobId });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    jobs,
    retry: start,
    stop: async () => {
      for (const job of jobs) for (const a of job.attempts) if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
