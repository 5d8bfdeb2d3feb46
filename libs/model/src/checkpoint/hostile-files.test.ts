/**
 * Files that name things in ways no writer would (found by tools/fuzz): a shard index mapping
 * a tensor to the folder itself, tensor names with line breaks. Each must fail with one line.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { resolveConfig } from '../config';
import { paramSpecs } from '../params';
import { CheckpointError } from './checkpoint';
import { loadCheckpoint, saveHfCheckpoint } from './hf';
import { openSafetensors, TensorData, writeSafetensors } from './safetensors';

const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'carve-hostile-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 16, nEmbd: 8, nLayer: 1, nHead: 2, nQueryGroups: 1, mlpHidden: 12, blockSize: 8 });
const weights = new Map(paramSpecs(config).map((s) => [s.name, new Float32Array(s.shape.reduce((a, b) => a * b, 1)).fill(0.5)]));

function failure(fn: () => unknown): CheckpointError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CheckpointError) return e;
    throw e;
  }
  throw new Error('expected a CheckpointError');
}

test.each(['', '.'])('a shard index mapping a tensor to %j (the folder itself) is refused, not read as a file', (shard) => {
  const folder = nodePath.join(tmp, `sharded-${shard.length}`);
  saveHfCheckpoint({ config, weights }, folder, { maxShardBytes: 256 });
  const indexPath = nodePath.join(folder, 'model.safetensors.index.json');
  const index = JSON.parse(fs.readFileSync(indexPath, 'utf8'));
  index.weight_map['model.norm.weight'] = shard;
  fs.writeFileSync(indexPath, JSON.stringify(index));
  expect(failure(() => loadCheckpoint(folder)).message).toBe(
    `${indexPath}: inconsistent safetensors index: tensor 'model.norm.weight' maps to ${JSON.stringify(shard)}, not a file name in the index's folder`,
  );
});

test("a tensor name with a line break is quoted on one line, the break escaped", () => {
  const folder = nodePath.join(tmp, 'odd-name');
  saveHfCheckpoint({ config, weights }, folder);
  const file = nodePath.join(folder, 'model.safetensors');
  const st = openSafetensors(file);
  const tensors = st.names.map((name): [string, TensorData] => [name, { shape: st.entry(name)!.shape, data: st.read(name) }]);
  writeSafetensors(file, [...tensors, ['extra\nname', { shape: [1], data: Float32Array.of(1) }]]);
  const message = failure(() => loadCheckpoint(folder)).message;
  expect(message).toContain("unexpected tensor 'extra\\nname' in");
  expect(message).not.toMatch(/[\r\n]/);
});

/** A safetensors file with `header` as its JSON text (no checks) and no data. */
function headerOnly(name: string, headerText: string): string {
  const path = nodePath.join(tmp, name);
  const json = Buffer.from(headerText, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  fs.writeFileSync(path, Buffer.concat([length, json]));
  return path;
}

const oneLine = (e: CheckpointError) => expect(e.message).not.toMatch(/[\r\n\u2028\u2029]/);

test('JSON syntax errors in config.json and in a safetensors header are reported on one line', () => {
  const folder = nodePath.join(tmp, 'bad-config');
  saveHfCheckpoint({ config, weights }, folder);
  fs.writeFileSync(nodePath.join(folder, 'config.json'), '{\n  "model_type": "llama",\n  "hidden_size": 8,,\n}\n');
  const bad = failure(() => loadCheckpoint(folder));
  expect(bad.message).toMatch(/config\.json: not valid JSON \(/);
  oneLine(bad);
  const header = failure(() => openSafetensors(headerOnly('bad-header.safetensors', '{\n"a": {\n"dtype": "F32",,\n}}')));
  expect(header.message).toMatch(/the header is not valid JSON \(/);
  oneLine(header);
});

test('header values nested past the stack are described, not a stack overflow; names with line breaks stay on one line', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  for (const field of ['dtype', 'shape', 'data_offsets']) {
    const entry = { dtype: '"F32"', shape: '[1]', data_offsets: '[0, 4]', [field]: deep };
    const text = `{"t": {"dtype": ${entry.dtype}, "shape": ${entry.shape}, "data_offsets": ${entry.data_offsets}}}`;
    const e = failure(() => openSafetensors(headerOnly(`deep-${field}.safetensors`, text)));
    expect(e.message).toContain('nested too deep to show');
    oneLine(e);
  }
  const named = failure(() => openSafetensors(headerOnly('names.safetensors', JSON.stringify({ 'a\nb': { dtype: 'F33', shape: [1], data_offsets: [0, 4] }, 'c\u2028d': { dtype: 'F32', shape: [1], data_offsets: [0, 9] } }))));
  oneLine(named);
  expect(named.message).toContain("tensor 'a\\nb': unknown dtype 'F33'");
});

test('a folder where model.safetensors should be is refused with a CheckpointError', () => {
  const path = nodePath.join(tmp, 'folder.safetensors');
  fs.mkdirSync(path);
  expect(failure(() => openSafetensors(path)).message).toBe(`${path}: is not a file (a folder?); a safetensors file was expected here`);
});
