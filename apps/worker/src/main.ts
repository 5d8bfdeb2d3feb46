/**
 * @module main
 * The Batch job's entrypoint: `node apps/worker/dist/main.js --request KEY --run ID` (the job
 * definition's command, with Batch's parameters substituted). Exits with the code the job's
 * retry strategy reads: 0 done, 2 a bad request (never retried), 75 transient (retried), 1 a bug.
 */
import { parseArgs } from 'node:util';
import { WORKER_EXIT } from '@carve/cloud';
import { runWorker } from './worker';

export { runWorker } from './worker';
export type { WorkerOptions } from './worker';

async function main(argv: string[]): Promise<number> {
  let values: { request?: string; run?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { request: { type: 'string' }, run: { type: 'string' } }, strict: true }));
  } catch (e) {
    process.stderr.write(`carve worker: ${(e as Error).message}; usage: main.js --request KEY --run ID\n`);
    return WORKER_EXIT.badRequest;
  }
  if (!values.request || !values.run) {
    process.stderr.write('carve worker: --request KEY and --run ID are both needed\n');
    return WORKER_EXIT.badRequest;
  }
  return runWorker({ request: values.request, run: values.run, env: process.env });
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`${e.stack ?? e.message}\n`);
      process.exit(WORKER_EXIT.bug);
    },
  );
}
