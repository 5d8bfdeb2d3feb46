/**
 * @module testing/publishing-process
 * For the concurrency tests: starts testing/publish-child in a process of its own, and the
 * run folders it publishes, whose content follows from the run id so that the test can check
 * every stored byte afterwards.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as nodePath from 'node:path';
import { front, writeRunFolder } from './run-folder';

export interface PublishChildRequest {
  /** The local catalog's root. */
  readonly root: string;
  /** Where the child writes its run folders. */
  readonly scratch: string;
  /** Its runs are `<prefix>-0`, `<prefix>-1`... */
  readonly prefix: string;
  /** The other process's prefix: this one goes on until it has seen one of its runs listed. */
  readonly other: string;
  /** At least this many runs. */
  readonly runs: number;
}

/** What the child printed last: the runs it published, or why it failed. */
export type PublishChildAnswer = { published: string[]; sawOther: boolean } | { error: string };

/** A publishing child, started and loaded, waiting for `start`. */
export interface PublishingProcess {
  /** Lets it publish; resolves with its answer once it has exited. */
  start(): Promise<PublishChildAnswer & { code: number | null }>;
}

/** The files of run `id`: a front, trials and a 300 KiB model, all depending on the id. */
export function childRunFolder(dir: string, id: string): string {
  const seed = createHash('sha256').update(id).digest();
  const model = Buffer.alloc(300 * 1024);
  for (let i = 0; i < model.length; i++) model[i] = seed[i % seed.length] ^ (i >> 8);
  return writeRunFolder(dir, { 'front.json': front(), 'trials.json': [{ index: 0, run: id }], 'models/best.onnx': model });
}

/** Starts a child publishing as `request` says; resolves once it is loaded and ready. */
export async function startPublishingProcess(request: PublishChildRequest): Promise<PublishingProcess> {
  const child: ChildProcess = spawn(process.execPath, ['-r', nodePath.join(__dirname, 'register-ts.js'), nodePath.join(__dirname, 'publish-child.ts'), JSON.stringify(request)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const ready = () => {
      if (output.startsWith('ready\n')) resolve();
    };
    child.stdout!.on('data', ready);
    void exited.then((code) => reject(new Error(`publish-child exited (${code}) before it was ready: ${output}`)));
  });
  return {
    start: async () => {
      child.stdin!.end('go\n');
      const code = await exited;
      const last = output.trim().split('\n').at(-1) ?? '';
      try {
        return { ...(JSON.parse(last) as PublishChildAnswer), code };
      } catch {
        return { error: `publish-child exited (${code}) without an answer: ${output}`, code };
      }
    },
  };
}
