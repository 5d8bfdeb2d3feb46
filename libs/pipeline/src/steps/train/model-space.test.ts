import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { paramSpecs, resolveConfig, saveHfCheckpoint } from '@carve/model';
import { createRegistry } from '../../plugins';
import { loadModelAndSpace } from './model-space';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-model-space-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 16, nEmbd: 8, nLayer: 2, nHead: 2, nQueryGroups: 1, mlpHidden: 12, blockSize: 8 });
const checkpoint = path.join(tmp, 'model');
saveHfCheckpoint({ config, weights: new Map(paramSpecs(config).map((s) => [s.name, new Float32Array(s.shape.reduce((a, b) => a * b, 1))])) }, checkpoint);
const load = (importance: string) => loadModelAndSpace({ checkpoint, space: 'joint', spaceOptions: {}, importance }, createRegistry([], tmp));

test("an importance.json that is not JSON is reported on one line: the parser's quote of its text keeps line breaks escaped (found by tools/fuzz)", () => {
  const importance = path.join(tmp, 'importance.json');
  fs.writeFileSync(importance, '{\n  "orders": {\n    "layers": [1, 0,\n  }\n}\n');
  expect(() => load(importance)).toThrow(
    new RegExp(`^importance ${importance}: not valid JSON \\(Unexpected token .*\\\\n.*\\)$`),
  );
});

test('a layer order that is not one of the model is reported naming the importance.json, not only the order (found by tools/fuzz)', () => {
  const importance = path.join(tmp, 'other-model.json');
  for (const layers of [[0], [1, 1], [0, 2], [2, 1, 0]]) {
    fs.writeFileSync(importance, JSON.stringify({ orders: { layers } }));
    expect(() => load(importance)).toThrow(`importance ${importance}: "orders.layers" ${JSON.stringify(layers)} is not an order of the model's 2 layers (each of 0..1 once); give the importance.json written for this model`);
  }
  fs.writeFileSync(importance, JSON.stringify({ orders: { layers: [1, 0] } }));
  expect(load(importance).space.layerOrder).toEqual([1, 0]);
});
