/**
 * @module inputs
 * A run spec's input files on their way to the cloud and back. `carve cloud submit` uploads
 * the local files a spec names into the catalog bucket, content-addressed under `inputs/`, and
 * rewrites the spec to their `s3://` URIs; the worker downloads them again into its work
 * folder and gives the pipeline the spec with local paths.
 *
 * A file goes to `inputs/<hash>/<name>`, with `<hash>` the first 16 hex digits of its SHA-256;
 * a folder (a Hugging Face checkpoint) to `inputs/<hash>/<name>/<relative path>` for each of
 * its files, with `<hash>` that of the JSON list of its `[relative path, SHA-256]` pairs sorted
 * by path. The same content always lands on the same keys, so a second upload sends nothing,
 * and a spec's URIs (hence its run id) depend on its files' content only.
 *
 * Downloaded files get the object's LastModified time (whole seconds) as their mtime, so that
 * the pipeline's stage markers, which stamp inputs by path, size and mtime, see the same stamps
 * on every machine a job runs on.
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { UserError } from '@carve/errors';
import { nameRefusal, quoteName } from '@carve/names';
import { RunSpec } from '@carve/spec';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { INPUTS_PREFIX, s3KeyIn, specFiles } from './request';
import { isMissingObject } from './store';

/** Parts of a multi-part upload: S3's minimum part size, four in flight. */
const PART_SIZE = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;
/** Hex digits of the content hash in an input's key. */
const HASH_DIGITS = 16;

/** One file of an input, as it is (or would be) stored. */
export interface InputObject {
  /** The local file. */
  local: string;
  /** Its key in the bucket. */
  key: string;
  size: number;
}

/** One file field of a spec and where its value goes in the bucket. */
export interface PlannedInput {
  /** The field's path in the spec: `model.checkpoint`, `data.train.0`. */
  field: string;
  /** The value the spec gave. */
  value: string;
  /** `uri`: already an s3:// URI, kept as it is; `file` or `folder`: a local path, to upload. */
  kind: 'uri' | 'file' | 'folder';
  /** The value in the uploaded spec. */
  uri: string;
  /** The objects a local input becomes (none for a URI). */
  objects: InputObject[];
}

/** What happened to one object of an upload. */
export interface UploadEvent extends InputObject {
  field: string;
  /** false when an object of that key and size was there already. */
  sent: boolean;
}

export interface InputOptions {
  /** What relative paths in the spec are relative to. @default the working directory */
  baseDir?: string;
}

export interface UploadOptions extends InputOptions {
  /** Called once per object, after it was sent or found present. */
  onFile?(event: UploadEvent): void;
}

export interface UploadResult {
  /** The spec with every file field an s3:// URI of the bucket. */
  spec: RunSpec;
  /** Keys of the objects sent. */
  uploaded: string[];
  /** Keys of the objects that were in the bucket already. */
  unchanged: string[];
}

export interface DownloadEvent {
  field: string;
  key: string;
  /** The local file. */
  local: string;
  size: number;
  /** false when the file was there already with the object's size. */
  downloaded: boolean;
}

export interface DownloadOptions {
  /** Called once per file, after it was downloaded or found present. */
  onFile?(event: DownloadEvent): void;
}

/** An input a spec names that cannot be read or found. */
export class InputError extends UserError {
  constructor(message: string, issues: readonly string[] = [message]) {
    super(message, 'invalid_input', issues);
  }
}

/** The spec with each file field's value replaced by `replace(field, value)`. */
export function mapSpecFiles(spec: RunSpec, replace: (field: string, value: string) => string): RunSpec {
  const model = { ...spec.model };
  if (model.checkpoint !== undefined) model.checkpoint = replace('model.checkpoint', model.checkpoint);
  if (model.tokenizer !== undefined) model.tokenizer = replace('model.tokenizer', model.tokenizer);
  const data = { ...spec.data };
  for (const field of ['calibration', 'train', 'validation'] as const) {
    const list = data[field];
    if (list !== undefined) data[field] = list.map((value, i) => replace(`data.${field}.${i}`, value)) as [string, ...string[]];
  }
  return { ...spec, model, data };
}

/** The SHA-256 (hex) of a file's content, streamed. */
async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Every file under `dir` (symbolic links followed), as '/'-separated paths relative to it, sorted. */
async function folderFiles(dir: string, relative = ''): Promise<string[]> {
  const files: string[] = [];
  for (const name of await readdir(nodePath.join(dir, relative))) {
    const rel = relative === '' ? name : `${relative}/${name}`;
    const info = await stat(nodePath.join(dir, rel));
    if (info.isDirectory()) files.push(...(await folderFiles(dir, rel)));
    else if (info.isFile()) files.push(rel);
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The name an input keeps in its key: the local path's last part. */
const baseName = (path: string) => nodePath.basename(path) || 'input';

/**
 * Where each file field of `spec` goes in `bucket`, and the spec as it will be once uploaded:
 * hashes the local files, sends nothing. Every missing or unreadable local input is reported
 * at once, each named by its field.
 */
export async function planInputs(bucket: string, spec: RunSpec, options: InputOptions = {}): Promise<{ spec: RunSpec; inputs: PlannedInput[] }> {
  const baseDir = options.baseDir ?? process.cwd();
  const inputs: PlannedInput[] = [];
  const problems: string[] = [];
  /** Each local path is hashed once, however many fields name it. */
  const planned = new Map<string, Promise<Omit<PlannedInput, 'field' | 'value'>>>();
  const plan = async (local: string): Promise<Omit<PlannedInput, 'field' | 'value'>> => {
    const info = await stat(local);
    const name = baseName(local);
    if (info.isFile()) {
      const key = `${INPUTS_PREFIX}${(await fileSha256(local)).slice(0, HASH_DIGITS)}/${name}`;
      return { kind: 'file', uri: `s3://${bucket}/${key}`, objects: [{ local, key, size: info.size }] };
    }
    if (!info.isDirectory()) throw new Error('not a file or folder');
    const files = await folderFiles(local);
    if (files.length === 0) throw new Error('an empty folder');
    const entries: [string, string, number][] = [];
    for (const rel of files) entries.push([rel, await fileSha256(nodePath.join(local, rel)), (await stat(nodePath.join(local, rel))).size]);
    const hash = createHash('sha256')
      .update(JSON.stringify(entries.map(([rel, sha]) => [rel, sha])))
      .digest('hex')
      .slice(0, HASH_DIGITS);
    const prefix = `${INPUTS_PREFIX}${hash}/${name}`;
    return { kind: 'folder', uri: `s3://${bucket}/${prefix}`, objects: entries.map(([rel, , size]) => ({ local: nodePath.join(local, ...rel.split('/')), key: `${prefix}/${rel}`, size })) };
  };
  for (const { path: field, value } of specFiles(spec)) {
    if (value.startsWith('s3://')) {
      inputs.push({ field, value, kind: 'uri', uri: value, objects: [] });
      continue;
    }
    const local = nodePath.resolve(baseDir, value);
    if (!planned.has(local)) planned.set(local, plan(local));
    try {
      inputs.push({ field, value, ...(await planned.get(local)!) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file or folder' : code ? `cannot read it (${code})` : (e as Error).message;
      problems.push(`${field}: '${value}'${local !== value ? ` (${local})` : ''}: ${why}`);
    }
  }
  // A local name that is no object key (`a\\b`, a right-to-left override) is refused here, before anything is sent, not by the worker.
  for (const input of inputs) {
    for (const object of input.objects) {
      const refusal = nameRefusal('object key', object.key);
      if (refusal) problems.push(`${input.field}: ${quoteName(object.local)} cannot be uploaded: its ${refusal}; rename it`);
    }
  }
  if (problems.length > 0) throw new InputError(`run spec inputs: ${problems.join('; ')}`, problems);
  const uris = new Map(inputs.map((input) => [input.field, input.uri]));
  return { spec: mapSpecFiles(spec, (field, value) => uris.get(field) ?? value), inputs };
}

/** The object `key`'s size and LastModified, or undefined when there is none. */
async function headObject(s3: S3Client, bucket: string, key: string): Promise<{ size: number; modified?: Date } | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { size: head.ContentLength ?? 0, modified: head.LastModified };
  } catch (e) {
    if (isMissingObject(e)) return undefined;
    throw e;
  }
}

/**
 * Uploads the local files `spec` names into `bucket` (see the module comment for the keys) and
 * returns the spec with their s3:// URIs. Values that are s3:// URIs already are kept; objects
 * already stored with the same key and size are not sent again; large files stream in parts.
 * A missing local input is an InputError naming its field and path, found before anything is sent.
 */
export async function uploadInputs(s3: S3Client, bucket: string, spec: RunSpec, options: UploadOptions = {}): Promise<UploadResult> {
  const planned = await planInputs(bucket, spec, options);
  const uploaded: string[] = [];
  const unchanged: string[] = [];
  const done = new Set<string>();
  for (const input of planned.inputs) {
    for (const object of input.objects) {
      if (done.has(object.key)) continue;
      done.add(object.key);
      const present = await headObject(s3, bucket, object.key);
      const sent = present?.size !== object.size;
      if (sent) {
        await new Upload({
          client: s3,
          params: { Bucket: bucket, Key: object.key, Body: createReadStream(object.local), ContentLength: object.size },
          partSize: PART_SIZE,
          queueSize: PARTS_IN_FLIGHT,
        }).done();
        uploaded.push(object.key);
      } else unchanged.push(object.key);
      options.onFile?.({ field: input.field, ...object, sent });
    }
  }
  return { spec: planned.spec, uploaded, unchanged };
}

/**
 * The parts of `key` as a local path, or an InputError naming the field when the key is not an
 * object key (it would leave the download folder, name a folder as a file, or not be the same
 * file on every system: see @carve/names).
 */
function checkedParts(key: string, field: string): string[] {
  const refusal = nameRefusal('object key', key);
  if (refusal) throw new InputError(`${field}: ${refusal}, so it cannot be a local path`);
  return key.split('/');
}

/** Whole seconds: what every S3 API agrees on (HEAD answers in seconds, listings in milliseconds). */
const seconds = (date: Date | undefined) => new Date(Math.floor((date ?? new Date(0)).getTime() / 1000) * 1000);

/** Downloads object `key` to `target` (through a temporary file renamed into place) unless a file of its size is there; stamps its mtime. */
async function downloadObject(s3: S3Client, bucket: string, key: string, target: string, size: number, modified: Date): Promise<boolean> {
  const present = await stat(target).catch(() => undefined);
  const fetch = !(present?.isFile() && present.size === size);
  if (fetch) {
    await mkdir(nodePath.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.carve-tmp`;
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = object.Body;
      if (body instanceof Readable) await pipeline(body, createWriteStream(temporary));
      else await pipeline(Readable.from([Buffer.from((await body?.transformToByteArray()) ?? [])]), createWriteStream(temporary));
      const written = (await stat(temporary)).size;
      if (written !== size) throw new Error(`s3://${bucket}/${key}: received ${written} bytes of ${size}`);
      await utimes(temporary, modified, modified);
      await rename(temporary, target);
    } catch (e) {
      await rm(temporary, { force: true });
      throw e;
    }
  } else await utimes(target, modified, modified);
  return fetch;
}

/**
 * The worker's side: downloads every `s3://<bucket>/<key>` input of `spec` into `dir/<key>`
 * (an object of exactly that key is a file; otherwise every object under `<key>/` makes a
 * folder) and returns the spec with those local paths. Files already there with the object's
 * size are kept. An input that is not in `bucket`, or that has no object, is an InputError
 * naming its field and URI.
 */
export async function downloadInputs(s3: S3Client, bucket: string, spec: RunSpec, dir: string, options: DownloadOptions = {}): Promise<RunSpec> {
  const root = nodePath.resolve(dir);
  const locals = new Map<string, string>();
  const problems: string[] = [];
  const entries = specFiles(spec).map((file) => ({ ...file, key: s3KeyIn(file.value, bucket) }));
  for (const { path: field, value, key } of entries) {
    if (key === undefined) problems.push(`${field}: '${value}' is not in the bucket ${bucket}: give an s3://${bucket}/… URI`);
    else checkedParts(key, field);
  }
  if (problems.length > 0) throw new InputError(`run spec inputs: ${problems.join('; ')}`, problems);
  for (const { path: field, value, key } of entries as { path: string; value: string; key: string }[]) {
    if (locals.has(value)) continue;
    const local = nodePath.join(root, ...checkedParts(key, field));
    const head = await headObject(s3, bucket, key);
    if (head) {
      const downloaded = await downloadObject(s3, bucket, key, local, head.size, seconds(head.modified));
      options.onFile?.({ field, key, local, size: head.size, downloaded });
    } else {
      const objects = await listObjects(s3, bucket, `${key}/`);
      if (objects.length === 0) throw new InputError(`${field}: '${value}': no such object or folder in the bucket`);
      for (const object of objects) {
        const target = nodePath.join(root, ...checkedParts(object.key, field));
        const downloaded = await downloadObject(s3, bucket, object.key, target, object.size, seconds(object.modified));
        options.onFile?.({ field, key: object.key, local: target, size: object.size, downloaded });
      }
    }
    locals.set(value, local);
  }
  return mapSpecFiles(spec, (_field, value) => locals.get(value) ?? value);
}

/** Every object under `prefix`, with size and LastModified, by key. */
async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<{ key: string; size: number; modified?: Date }[]> {
  const objects: { key: string; size: number; modified?: Date }[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
    for (const object of page.Contents ?? []) {
      // A "folder marker" object (a key ending in '/') holds no file.
      if (object.Key !== undefined && !object.Key.endsWith('/')) objects.push({ key: object.Key, size: object.Size ?? 0, modified: object.LastModified });
    }
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
