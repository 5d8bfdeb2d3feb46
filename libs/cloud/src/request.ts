/**
 * @module request
 * Reading a run request: the bytes of an object under `requests/`, checked as the run spec
 * `carve compress` takes, and the files it names checked to be where a cloud run can read
 * them. A request is never an exception: it is valid (a spec and its run id) or rejected
 * (every problem, with its path in the spec).
 */
import { isUserError } from '@carve/errors';
import { nameRefusal } from '@carve/names';
import { parseRunSpecText, RunSpec, specFormatOf } from '@carve/spec';
import { cloudRunId, MAX_REQUEST_BYTES, rejectedRunId, RUNS_PREFIX } from './protocol';

/** Prefix of the bucket that holds a request's input files (`carve cloud submit` uploads them there). */
export const INPUTS_PREFIX = 'inputs/';

/** Why a request was rejected, for callers that branch on it: too large (HTTP's 413), or not a valid request. */
export type RequestRejection = 'request_too_large' | 'invalid_request';

export type RequestReading = { ok: true; id: string; spec: RunSpec } | { ok: false; id: string; problems: string[]; code: RequestRejection };

/** The spec fields that name files, with their values. */
export function specFiles(spec: RunSpec): { path: string; value: string }[] {
  const files: { path: string; value: string }[] = [];
  if (spec.model.checkpoint !== undefined) files.push({ path: 'model.checkpoint', value: spec.model.checkpoint });
  if (spec.model.tokenizer !== undefined) files.push({ path: 'model.tokenizer', value: spec.model.tokenizer });
  for (const field of ['calibration', 'train', 'validation'] as const) spec.data[field]?.forEach((value, i) => files.push({ path: `data.${field}.${i}`, value }));
  return files;
}

/**
 * Why each file a cloud request names cannot be read by the worker: it must be an
 * `s3://<bucket>/inputs/…` or `s3://<bucket>/runs/…` URI of the catalog bucket (files left
 * out mean the embedded model and corpus of the worker image) whose key is an object key
 * (`inputs/../runs/x` is not under inputs/).
 */
export function cloudFileProblems(spec: RunSpec, bucket: string): string[] {
  const problems: string[] = [];
  for (const { path, value } of specFiles(spec)) {
    const key = s3KeyIn(value, bucket);
    const refusal = key === undefined ? undefined : nameRefusal('object key', key);
    if (key === undefined) problems.push(`${path}: '${value}' is not in the catalog bucket: give s3://${bucket}/${INPUTS_PREFIX}… (carve cloud submit uploads local files there)`);
    else if (refusal) problems.push(`${path}: ${refusal}`);
    else if (!key.startsWith(INPUTS_PREFIX) && !key.startsWith(RUNS_PREFIX)) problems.push(`${path}: '${value}' must be under s3://${bucket}/${INPUTS_PREFIX} or s3://${bucket}/${RUNS_PREFIX}`);
  }
  return problems;
}

/** Why each plugin a request names cannot be loaded by the worker: a path (into the worker's disk, where inputs land) instead of a package name. */
export function pluginNameProblems(spec: RunSpec): string[] {
  return spec.plugins.flatMap((name, i) => {
    const refusal = nameRefusal('plugin package', name);
    return refusal ? [`plugins.${i}: ${refusal}`] : [];
  });
}

/** The key of `uri` when it is `s3://<bucket>/<key>`, else undefined. */
export function s3KeyIn(uri: string, bucket: string): string | undefined {
  const prefix = `s3://${bucket}/`;
  return uri.startsWith(prefix) && uri.length > prefix.length ? uri.slice(prefix.length) : undefined;
}

/**
 * The problem of a request over the limit of `maxBytes`: `size` bytes, or more than the limit
 * when it was cut off while streaming in (its size unknown).
 */
export const tooLarge = (size: number | undefined, maxBytes: number): string =>
  `(request): too large (413): ${size === undefined ? `more than ${maxBytes}` : size} bytes, over the limit of ${maxBytes} bytes (CARVE_MAX_REQUEST_BYTES); a request is a run spec of a few kilobytes`;

/**
 * Reads the request stored under `key` in `bucket`: YAML when the key ends in .yaml/.yml,
 * JSON otherwise, at most `maxBytes` long.
 */
export function readRequest(bytes: Uint8Array, key: string, bucket: string, maxBytes = MAX_REQUEST_BYTES): RequestReading {
  // Before parsing: a parser is never handed more than the limit.
  if (bytes.length > maxBytes) return { ok: false, id: rejectedRunId(bytes), problems: [tooLarge(bytes.length, maxBytes)], code: 'request_too_large' };
  let spec: RunSpec;
  try {
    spec = parseRunSpecText(Buffer.from(bytes).toString('utf8'), key, specFormatOf(key));
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { ok: false, id: rejectedRunId(bytes), problems: [...e.issues], code: 'invalid_request' };
  }
  const problems = [...cloudFileProblems(spec, bucket), ...pluginNameProblems(spec)];
  if (problems.length > 0) return { ok: false, id: rejectedRunId(bytes), problems, code: 'invalid_request' };
  return { ok: true, id: cloudRunId(spec), spec };
}
