/**
 * @module commands/cloud
 * `carve cloud submit|status|logs|cancel`: compression runs as AWS Batch jobs. A request put
 * in the catalog bucket starts a run (the trigger submits its job); the run's status record
 * says where it is, its Batch job holds its logs, and its results land in the bucket's catalog
 * (`carve runs --s3-bucket`). See docs/cli.md.
 */
import { Command } from 'commander';
import { CancelArgs, cancel, DEFAULT_CANCEL_REASON, logs } from '../cloud/jobs';
import { CloudArgs, withCloudOptions } from '../cloud/context';
import { status, StatusArgs } from '../cloud/status';
import { submit, SubmitArgs } from '../cloud/submit';
import { CliIO } from '../io';

export function cloudCommand(io: CliIO): Command {
  const cloud = new Command('cloud').description('run compressions as AWS Batch jobs: submit a run spec, follow it, read its logs, cancel it');
  withCloudOptions(cloud.command('submit').description('upload the local files a run spec names and request the run; prints the run id').argument('<spec>', 'the run spec, JSON or YAML (docs/pipeline.md)'))
    .option('--dry-run', 'check the spec and print what would be uploaded and requested, sending nothing')
    .action((spec: string, args: SubmitArgs) => submit(spec, args, io));
  withCloudOptions(cloud.command('status').description("a cloud run's state, stage and job, and its catalog manifest once it has one").argument('<run>', 'the run id'))
    .option('--json', 'one JSON object: {id, status, catalog}')
    .action((id: string, args: StatusArgs) => status(id, args, io));
  withCloudOptions(cloud.command('logs').description("print the run's Batch job logs (every attempt) from CloudWatch Logs").argument('<run>', 'the run id'))
    .action((id: string, args: CloudArgs) => logs(id, args, io));
  withCloudOptions(cloud.command('cancel').description("cancel a queued run or stop a running one (Batch TerminateJob), and record it as cancelled").argument('<run>', 'the run id'))
    .option('--reason <text>', 'why, as Batch and the status record keep it', DEFAULT_CANCEL_REASON)
    .action((id: string, args: CancelArgs) => cancel(id, args, io));
  return cloud;
}
