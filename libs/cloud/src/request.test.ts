import { parseRunSpec } from '@carve/spec';
import { cloudRunId } from './protocol';
import { cloudFileProblems, readRequest, tooLarge } from './request';

const BUCKET = 'carve-catalog';
const bytes = (text: string) => Buffer.from(text, 'utf8');

test('the same spec as JSON and as YAML, keys in any order and defaults spelled out or not, is one run', () => {
  const json = readRequest(bytes(JSON.stringify({ seed: 3, model: { checkpoint: `s3://${BUCKET}/inputs/0123456789abcdef/model` }, training: { steps: 20 } })), 'requests/a.json', BUCKET);
  const yaml = readRequest(bytes(`training:\n  steps: 20\n  batchSize: 8\nmodel:\n  checkpoint: s3://${BUCKET}/inputs/0123456789abcdef/model\nseed: 3\n`), 'requests/team/b.yaml', BUCKET);
  expect(json.ok && yaml.ok).toBe(true);
  expect(json.id).toMatch(/^cloud-[0-9a-f]{16}$/);
  expect(yaml.id).toBe(json.id);
  if (!json.ok) throw new Error('unreachable');
  expect(json.id).toBe(cloudRunId(json.spec));
  expect(json.spec.training.steps).toBe(20);
  // An empty request is the default run, which names no file.
  expect(readRequest(bytes('{}'), 'requests/default.json', BUCKET)).toEqual({ ok: true, id: cloudRunId(parseRunSpec({})), spec: parseRunSpec({}) });
});

test('a spec naming a local path, another bucket or a key outside inputs/ and runs/ is rejected, each problem naming its field', () => {
  const spec = { model: { checkpoint: 'models/local' }, data: { train: [`s3://${BUCKET}/inputs/aaaa/train.txt`, 's3://elsewhere/inputs/x/t.txt'], validation: [`s3://${BUCKET}/scratch/v.txt`] } };
  const reading = readRequest(bytes(JSON.stringify(spec)), 'requests/x.json', BUCKET);
  expect(reading.ok).toBe(false);
  if (reading.ok) throw new Error('unreachable');
  expect(reading.id).toMatch(/^rejected-[0-9a-f]{16}$/);
  expect(reading.problems).toEqual([
    `model.checkpoint: 'models/local' is not in the catalog bucket: give s3://${BUCKET}/inputs/… (carve cloud submit uploads local files there)`,
    `data.train.1: 's3://elsewhere/inputs/x/t.txt' is not in the catalog bucket: give s3://${BUCKET}/inputs/… (carve cloud submit uploads local files there)`,
    `data.validation.0: 's3://${BUCKET}/scratch/v.txt' must be under s3://${BUCKET}/inputs/ or s3://${BUCKET}/runs/`,
  ]);
  expect(cloudFileProblems(parseRunSpec({ data: { train: [`s3://${BUCKET}/runs/r/data/train.txt`] } }), BUCKET)).toEqual([]);
});

test('an oversized request is rejected by its size alone', () => {
  const big = bytes(JSON.stringify({ name: 'x'.repeat(300) }));
  const reading = readRequest(big, 'requests/big.json', BUCKET, 256);
  expect(reading).toEqual({ ok: false, id: expect.stringMatching(/^rejected-[0-9a-f]{16}$/), problems: [tooLarge(big.length, 256)], code: 'request_too_large' });
  expect(tooLarge(big.length, 256)).toBe('(request): too large (413): 311 bytes, over the limit of 256 bytes (CARVE_MAX_REQUEST_BYTES); a request is a run spec of a few kilobytes');
  expect(readRequest(big, 'requests/big.json', BUCKET).ok).toBe(true);
});

test('an invalid spec lists every problem with its path; text that does not parse says so', () => {
  const reading = readRequest(bytes(JSON.stringify({ seed: -1, training: { steps: 0, lora: { rank: 'eight' } }, search: { budget: 2.5 }, colour: 'red' })), 'requests/bad.json', BUCKET);
  expect(reading.ok).toBe(false);
  if (reading.ok) throw new Error('unreachable');
  expect(reading.problems).toHaveLength(5);
  expect(reading.problems.map((p) => p.split(':')[0]).sort()).toEqual(['(top level)', 'search.budget', 'seed', 'training.lora.rank', 'training.steps']);
  expect(reading.problems.find((p) => p.startsWith('(top level)'))).toContain('colour');

  const yaml = readRequest(bytes('model: [unclosed\n'), 'requests/bad.yml', BUCKET);
  expect(yaml).toEqual({ ok: false, id: expect.stringMatching(/^rejected-/), problems: [expect.stringMatching(/^not valid YAML: /)], code: 'invalid_request' });
  const json = readRequest(bytes('{"seed": 1,'), 'requests/bad.json', BUCKET);
  expect(json.ok ? [] : json.problems).toEqual([expect.stringMatching(/^not valid JSON: /)]);
  // The same bytes are rejected under the same id.
  expect(readRequest(bytes('{"seed": 1,'), 'requests/other.json', BUCKET).id).toBe(json.id);
});
