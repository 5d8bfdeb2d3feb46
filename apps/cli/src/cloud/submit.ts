/**
 * @module cloud/submit
 * `carve cloud submit SPEC`: checks the spec here, uploads the local files it names into the
 * bucket's `inputs/` (content-addressed, so nothing is sent twice), and puts the request under
 * `requests/<id>.json`, where the trigger picks it up. The run id is the request's content
 * hash, so submitting the same spec again is the same run; a run that is live or succeeded is
 * not requested again.
 */
import { CloudState, jobNameFor, planInputs, PlannedInput, putObject, readRequest, requestKeyFor, uploadInputs } from '@carve/cloud';
import { loadRunSpec, RunSpec } from '@carve/spec';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { CloudArgs, withCloud } from './context';

export interface SubmitArgs extends CloudArgs {
  dryRun?: boolean;
}

/** States after which a run may be requested again (a succeeded run is not run twice). */
const RESUBMITTABLE: readonly CloudState[] = ['failed', 'cancelled', 'rejected'];

const bytesOf = (spec: RunSpec) => Buffer.from(`${JSON.stringify(spec, null, 2)}\n`, 'utf8');

/** A size for people: 512 B, 6.0 MiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The request `spec` makes, checked as the trigger will check it: its id, or every problem. */
function checkRequest(specPath: string, spec: RunSpec, bucket: string): { id: string; bytes: Buffer } {
  const bytes = bytesOf(spec);
  const reading = readRequest(bytes, 'request.json', bucket);
  if (!reading.ok) throw new CliError(`${specPath}: not a valid cloud request: ${reading.problems.join('; ')}`);
  return { id: reading.id, bytes };
}

const describeInput = (input: PlannedInput) => {
  if (input.kind === 'uri') return `${input.field}: ${input.uri}`;
  const size = input.objects.reduce((a, o) => a + o.size, 0);
  const what = input.kind === 'folder' ? `folder, ${input.objects.length} file${input.objects.length === 1 ? '' : 's'}, ${formatBytes(size)}` : formatBytes(size);
  return `${input.field}: ${input.value} → ${input.uri} (${what})`;
};

export async function submit(specPath: string, args: SubmitArgs, io: CliIO): Promise<void> {
  const spec = loadRunSpec(specPath);
  await withCloud(args, async (cloud) => {
    const { bucket } = cloud;
    // Hashing the inputs gives their URIs, hence the request and its id, before anything is sent.
    const planned = await planInputs(bucket, spec);
    const { id } = checkRequest(specPath, planned.spec, bucket);
    const key = requestKeyFor(id);
    const follow = `follow it with: carve cloud status ${id} ${cloud.flags}`;
    if (args.dryRun) {
      for (const input of planned.inputs) io.stderr(`${describeInput(input)}\n`);
      io.stderr(`would put s3://${bucket}/${key} (run ${id}, job ${jobNameFor(id)}); nothing was sent\n`);
      io.stdout(`${id}\n`);
      return;
    }

    const existing = await cloud.readStatus(id);
    if (existing && !RESUBMITTABLE.includes(existing.state)) {
      const job = existing.job?.id ? `, job ${existing.job.name} (${existing.job.id})` : '';
      io.stderr(`run ${id} is ${existing.state} already${job}; not requested again\n${follow}\n`);
      io.stdout(`${id}\n`);
      return;
    }
    if (existing) io.stderr(`run ${id} was ${existing.state}; requesting it again\n`);

    const uploaded = await cloud.onS3('upload the inputs', () =>
      uploadInputs(cloud.s3, bucket, spec, { onFile: (e) => io.stderr(`${e.sent ? 'uploaded' : 'unchanged'} ${e.local} → s3://${bucket}/${e.key} (${formatBytes(e.size)})\n`) }),
    );
    const request = checkRequest(specPath, uploaded.spec, bucket);
    if (request.id !== id) throw new CliError(`${specPath}: an input file changed while it was uploaded; submit again`);
    await cloud.onS3(`put ${key}`, () => putObject(cloud.s3, bucket, key, request.bytes, { contentType: 'application/json' }));
    const files = uploaded.uploaded.length + uploaded.unchanged.length;
    io.stderr(
      `${files === 0 ? 'no local inputs' : `inputs: ${uploaded.uploaded.length} uploaded, ${uploaded.unchanged.length} already there`}\n` +
        `requested s3://${bucket}/${key}: run ${id}, job ${jobNameFor(id)}\n${follow}\n`,
    );
    io.stdout(`${id}\n`);
  });
}
