import { S3Client } from '@aws-sdk/client-s3';
import { isUserError } from '@carve/errors';
import { parseRunSpec, RunSpec } from '@carve/spec';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { S3Server, startS3Server } from '../../catalog/src/testing/s3-server';
import { downloadInputs, planInputs, uploadInputs } from './inputs';
import { cloudS3Client, putObject } from './store';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let server: S3Server;
let s3: S3Client;
let scratch: string;
/** The commands the client sent, by name. */
let sent: string[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  server = await startS3Server('carve-inputs');
  process.env.AWS_ACCESS_KEY_ID = server.env.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = server.env.AWS_SECRET_ACCESS_KEY;
  s3 = cloudS3Client({ endpoint: server.endpoint });
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
});

afterAll(async () => {
  s3.destroy();
  await server.stop();
  process.env = saved;
});

beforeEach(() => {
  scratch = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-cloud-inputs-'));
  sent = [];
});

afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A Hugging Face-like checkpoint folder (with a nested file and a weights file over one upload part) and two text files, under `scratch`. */
function writeInputs(): { weights: Buffer } {
  const weights = Buffer.alloc(6 * 1024 * 1024 + 123);
  for (let i = 0; i < weights.length; i += 4096) weights[i] = i % 251;
  const checkpoint = nodePath.join(scratch, 'inputs', 'tiny-model');
  fs.mkdirSync(nodePath.join(checkpoint, 'extra'), { recursive: true });
  fs.writeFileSync(nodePath.join(checkpoint, 'config.json'), '{"model_type":"llama"}');
  fs.writeFileSync(nodePath.join(checkpoint, 'model.safetensors'), weights);
  fs.writeFileSync(nodePath.join(checkpoint, 'extra', 'notes.txt'), 'nested');
  fs.writeFileSync(nodePath.join(scratch, 'inputs', 'train.txt'), 'some training text\n');
  fs.writeFileSync(nodePath.join(scratch, 'inputs', 'valid.txt'), 'some held-out text\n');
  return { weights };
}

/** A spec naming the inputs relatively to `scratch`, one of them twice, and one input already in the bucket. */
const specOf = (extra: Record<string, unknown> = {}): RunSpec =>
  parseRunSpec({
    model: { checkpoint: 'inputs/tiny-model' },
    data: { train: ['inputs/train.txt', 's3://carve-inputs/inputs/0000000000000000/given.txt'], validation: ['inputs/valid.txt'], calibration: ['inputs/train.txt'] },
    ...extra,
  });

describe('uploadInputs', () => {
  test('uploads a file and a folder content-addressed, rewrites the spec to their URIs, and sends nothing the second time', async () => {
    writeInputs();
    const folderHash = sha(
      JSON.stringify([
        ['config.json', sha('{"model_type":"llama"}')],
        ['extra/notes.txt', sha('nested')],
        ['model.safetensors', sha(fs.readFileSync(nodePath.join(scratch, 'inputs', 'tiny-model', 'model.safetensors')))],
      ]),
    ).slice(0, 16);
    const train = `inputs/${sha('some training text\n').slice(0, 16)}/train.txt`;
    const valid = `inputs/${sha('some held-out text\n').slice(0, 16)}/valid.txt`;
    const model = `inputs/${folderHash}/tiny-model`;
    const events: string[] = [];

    const first = await uploadInputs(s3, server.bucket, specOf(), { baseDir: scratch, onFile: (e) => events.push(`${e.field} ${e.key} ${e.sent}`) });
    expect(first.spec.model.checkpoint).toBe(`s3://carve-inputs/${model}`);
    expect(first.spec.data.train).toEqual([`s3://carve-inputs/${train}`, 's3://carve-inputs/inputs/0000000000000000/given.txt']);
    expect(first.spec.data.validation).toEqual([`s3://carve-inputs/${valid}`]);
    expect(first.spec.data.calibration).toEqual([`s3://carve-inputs/${train}`]);
    expect(first.spec.model.tokenizer).toBeUndefined();
    expect({ ...first.spec, model: {}, data: {} }).toEqual({ ...specOf(), model: {}, data: {} });
    expect(first.uploaded).toEqual([`${model}/config.json`, `${model}/extra/notes.txt`, `${model}/model.safetensors`, train, valid]);
    expect(first.unchanged).toEqual([]);
    expect(events).toEqual([
      `model.checkpoint ${model}/config.json true`,
      `model.checkpoint ${model}/extra/notes.txt true`,
      `model.checkpoint ${model}/model.safetensors true`,
      `data.calibration.0 ${train} true`,
      `data.validation.0 ${valid} true`,
    ]);
    // The weights file went up in parts.
    expect(sent).toContain('CreateMultipartUploadCommand');

    sent = [];
    const second = await uploadInputs(s3, server.bucket, specOf(), { baseDir: scratch });
    expect(second.spec).toEqual(first.spec);
    expect(second.uploaded).toEqual([]);
    expect(second.unchanged).toEqual(first.uploaded);
    expect([...new Set(sent)]).toEqual(['HeadObjectCommand']);

    // planInputs gives the same spec without a single request.
    sent = [];
    expect((await planInputs(server.bucket, specOf(), { baseDir: scratch })).spec).toEqual(first.spec);
    expect(sent).toEqual([]);
  });

  test('a missing local input is a UserError naming its field and path, before anything is sent', async () => {
    writeInputs();
    const spec = specOf({ model: { checkpoint: 'inputs/tiny-model', tokenizer: 'inputs/missing-tokenizer.json' } });
    const error = await uploadInputs(s3, server.bucket, spec, { baseDir: scratch }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toContain(`model.tokenizer: 'inputs/missing-tokenizer.json' (${nodePath.join(scratch, 'inputs', 'missing-tokenizer.json')}): no such file or folder`);
    expect(sent).toEqual([]);
    fs.mkdirSync(nodePath.join(scratch, 'empty'));
    await expect(uploadInputs(s3, server.bucket, parseRunSpec({ data: { validation: ['empty'] } }), { baseDir: scratch })).rejects.toThrow(/data\.validation\.0: 'empty' .*: an empty folder/);
  });
});

describe('downloadInputs', () => {
  /** Every file under `dir`, relative, with its bytes' hash and mtime. */
  const snapshot = (dir: string) =>
    (fs.readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => fs.statSync(nodePath.join(dir, f)).isFile())
      .sort()
      .map((f) => ({ file: f, sha256: sha(fs.readFileSync(nodePath.join(dir, f))), mtime: fs.statSync(nodePath.join(dir, f)).mtimeMs }));

  test('reproduces the uploaded files with identical bytes and mtimes in fresh folders, and keeps files already there', async () => {
    const { weights } = writeInputs();
    await putObject(s3, server.bucket, 'inputs/0000000000000000/given.txt', 'given');
    const { spec: uploaded } = await uploadInputs(s3, server.bucket, specOf(), { baseDir: scratch });

    const one = nodePath.join(scratch, 'machine-1');
    const two = nodePath.join(scratch, 'machine-2');
    const events: string[] = [];
    const local = await downloadInputs(s3, server.bucket, uploaded, one, { onFile: (e) => events.push(`${e.field} ${e.key} ${e.downloaded}`) });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a later second, which a copied mtime must not show
    await downloadInputs(s3, server.bucket, uploaded, two);

    const model = uploaded.model.checkpoint!.replace('s3://carve-inputs/', '');
    expect(local.model.checkpoint).toBe(nodePath.join(one, ...model.split('/')));
    expect(local.data.train).toEqual([nodePath.join(one, ...uploaded.data.train![0].slice('s3://carve-inputs/'.length).split('/')), nodePath.join(one, 'inputs', '0000000000000000', 'given.txt')]);
    expect(local.data.calibration).toEqual([local.data.train![0]]);
    expect(fs.readFileSync(nodePath.join(local.model.checkpoint!, 'model.safetensors')).equals(weights)).toBe(true);
    expect(fs.readFileSync(nodePath.join(local.model.checkpoint!, 'extra', 'notes.txt'), 'utf8')).toBe('nested');
    expect(fs.readFileSync(local.data.validation![0], 'utf8')).toBe('some held-out text\n');
    expect(events.filter((e) => e.endsWith('false'))).toEqual([]);
    expect(events.map((e) => e.split(' ')[0])).toEqual(['model.checkpoint', 'model.checkpoint', 'model.checkpoint', 'data.calibration.0', 'data.train.1', 'data.validation.0']);

    const first = snapshot(one);
    expect(first.map((f) => f.file)).toHaveLength(6);
    // Each mtime is the object's LastModified, in whole seconds (and so not the time of the download).
    expect(first.every((f) => f.mtime % 1000 === 0 && Math.abs(f.mtime - Date.now()) < 60_000)).toBe(true);
    expect(snapshot(two)).toEqual(first);
    // No temporary file is left behind.
    expect(first.filter((f) => f.file.includes('carve-tmp'))).toEqual([]);

    // A second download into the same folder fetches nothing and restores a changed mtime.
    const notes = nodePath.join(local.model.checkpoint!, 'extra', 'notes.txt');
    fs.utimesSync(notes, new Date(), new Date());
    sent = [];
    const again: boolean[] = [];
    await downloadInputs(s3, server.bucket, uploaded, one, { onFile: (e) => again.push(e.downloaded) });
    expect(again).toEqual([false, false, false, false, false, false]);
    expect(sent).not.toContain('GetObjectCommand');
    expect(snapshot(one)).toEqual(first);
  });

  test('an input with no object names its field and URI; one outside the bucket, or a local path, is refused', async () => {
    const dir = nodePath.join(scratch, 'work');
    const missing = parseRunSpec({ model: { checkpoint: 's3://carve-inputs/inputs/ffffffffffffffff/nothing' } });
    await expect(downloadInputs(s3, server.bucket, missing, dir)).rejects.toThrow("model.checkpoint: 's3://carve-inputs/inputs/ffffffffffffffff/nothing': no such object or folder in the bucket");
    const elsewhere = parseRunSpec({ data: { train: ['s3://other-bucket/inputs/a/train.txt', 'train.txt'] } });
    const error = await downloadInputs(s3, server.bucket, elsewhere, dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUserError(error)).toBe(true);
    expect((error as { issues: string[] }).issues).toEqual([
      "data.train.0: 's3://other-bucket/inputs/a/train.txt' is not in the bucket carve-inputs: give an s3://carve-inputs/… URI",
      "data.train.1: 'train.txt' is not in the bucket carve-inputs: give an s3://carve-inputs/… URI",
    ]);
    await expect(downloadInputs(s3, server.bucket, parseRunSpec({ data: { train: ['s3://carve-inputs/inputs/../../etc/passwd'] } }), dir)).rejects.toThrow(
      `data.train.0: object key "inputs/../../etc/passwd" must not have empty, '.' or '..' segments, so it cannot be a local path`,
    );
    expect(fs.existsSync(dir)).toBe(false);
  });
});
