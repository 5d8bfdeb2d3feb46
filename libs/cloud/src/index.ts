/**
 * @module @carve/cloud
 * The cloud protocol shared by the trigger Lambda, the Batch worker, the CLI and the CDK app:
 * request and status objects in the catalog bucket, run ids, job names and parameters, the
 * worker's command and exit codes. It loads no numerical code, so the trigger's bundle stays small.
 */
export { cloudRunId, ENV, jobNameFor, MAX_REQUEST_BYTES, rejectedRunId, REQUESTS_PREFIX, requestKeyFor, RUNS_PREFIX, SCRATCH_PREFIX, statusKey, WORKER_COMMAND, WORKER_EXIT } from './protocol';
export type { JobParameters } from './protocol';
export { CLOUD_STATES, FINAL_STATES, statusRecordSchema } from './status';
export type { CloudState, StatusRecord } from './status';
export { cloudFileProblems, INPUTS_PREFIX, pluginNameProblems, readRequest, s3KeyIn, specFiles, tooLarge } from './request';
export type { RequestReading, RequestRejection } from './request';
export { cloudS3Client, getObject, getObjectUpTo, putObject, readStatus, writeStatus } from './store';
export type { CloudS3Options, LimitedObject } from './store';
export { downloadInputs, InputError, mapSpecFiles, planInputs, uploadInputs } from './inputs';
export type { DownloadEvent, DownloadOptions, InputObject, InputOptions, PlannedInput, UploadEvent, UploadOptions, UploadResult } from './inputs';
export { describeAwsFailure, isAwsFailure } from './aws-errors';
export type { AwsFailureContext } from './aws-errors';
