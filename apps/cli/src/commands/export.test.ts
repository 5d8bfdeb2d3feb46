/**
 * `carve export` on a run folder, and the exported folders in the runtimes they are for:
 * transformers.js (@huggingface/transformers, remote models off) loads the folder with
 * AutoModelForCausalLM and the text-generation pipeline, and its greedy continuation and
 * logits equal `carve generate` and our LanguageModel on the same folder; llama.cpp runs
 * the GGUF with the same greedy text.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng, Tensor } from '@carve/engine';
import { extractSubNetwork, float32Of, fullSubNetwork, initLora, LanguageModel, loadCheckpoint, loadTokenizer, LoraConfig, SubNetwork, writeSafetensors, countParams, loraParamSpecs } from '@carve/model';
import { EMBEDDED_MODEL } from '@carve/pipeline';
import { runLlamaCpp } from '@carve/test-llama-cpp';
import { carve, CliRun } from '../testing/run-cli';

// transformers.js is a devDependency for these checks only; its CommonJS build loads under jest.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const transformers = require('@huggingface/transformers') as typeof import('@huggingface/transformers');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-export-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const catalog = path.join(tmp, 'catalog');
const RUN = '20261206-2000-abcdef';
const folder = path.join(catalog, 'runs', RUN);
const model = loadCheckpoint(EMBEDDED_MODEL);
const lora: LoraConfig = { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'k', 'v', 'o', 'mlp'] };
/** A sub-network whose head size (16) differs from hidden / heads (96 / 4), as a search may pick. */
const CUT: SubNetwork = { embedDim: 96, headSize: 16, layers: [0, 1, 3].map((index) => ({ index, heads: 4, mlpHidden: 200 })) };
const trial = (index: number, subNetwork: SubNetwork, loss: number) => ({ index, params: countParams(model.config, subNetwork), objectives: { loss }, feasible: true, violation: 0, details: {}, subNetwork });

/** A run folder as compress leaves it after the search: its spec, trained adapters (small random B), front.json and trials.json. */
beforeAll(() => {
  fs.mkdirSync(path.join(folder, 'train'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'spec.json'), JSON.stringify({ model: { checkpoint: EMBEDDED_MODEL }, importance: { enabled: false } }));
  const adapters = randomAdapters();
  const tensors = loraParamSpecs(model.config, lora).map((s): [string, { shape: number[]; data: Float32Array }] => [s.name, { shape: s.shape, data: adapters.get(s.name)! }]);
  writeSafetensors(path.join(folder, 'train', 'adapters.safetensors'), tensors, { 'carve.trainable': 'lora', 'carve.model': model.config.name, 'carve.lora': JSON.stringify(lora) });
  const front = [trial(0, fullSubNetwork(model.config), 2.2), trial(7, CUT, 3.1)];
  fs.writeFileSync(path.join(folder, 'front.json'), JSON.stringify({ objectives: [{ name: 'loss', direction: 'minimize' }], members: front }));
  fs.writeFileSync(path.join(folder, 'trials.json'), JSON.stringify([...front, trial(9, { ...CUT, layers: CUT.layers.slice(0, 2) }, 3.5)]));
});

const PROMPT = 'The people of the United States';
const out = path.join(tmp, 'exported');
const name = `t7-${(countParams(model.config, CUT) / 1000).toFixed(0)}k`;
const memberFolder = path.join(out, name);
/** The export every test below reads. */
let exported: CliRun;
beforeAll(async () => {
  exported = await carve(['export', RUN, '--member', '7', '--format', 'hf,onnx,gguf', '--gguf-type', 'f32', '--catalog', catalog, '--out', out]);
});

describe('carve export', () => {
  test('writes the member in every format and prints where', async () => {
    const run = exported;
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toBe(`${name}: ${countParams(model.config, CUT)} parameters\n${['model.safetensors', 'onnx/model.onnx', 'model-f32.gguf'].map((f) => `  ${path.join(memberFolder, f)}\n`).join('')}`);
    expect((fs.readdirSync(memberFolder, { recursive: true }) as string[]).sort()).toEqual(['config.json', 'generation_config.json', 'model-f32.gguf', 'model.safetensors', 'onnx', path.join('onnx', 'model.onnx'), 'tokenizer.json', 'tokenizer_config.json']);
    const config = JSON.parse(fs.readFileSync(path.join(memberFolder, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model_type: 'llama', hidden_size: 96, num_hidden_layers: 3, num_attention_heads: 4, head_dim: 16, bos_token_id: 1, eos_token_id: 2, torch_dtype: 'float32' });
    // The merged weights are the super-network's sub-network with its adapters.
    const standalone = loadCheckpoint(memberFolder);
    const expected = extractSubNetwork(model, CUT, { lora: { config: lora, adapters: randomAdapters() } });
    expect(maxAbsDiff(float32Of(standalone.weights.get('layers.1.attn.q.weight')!), float32Of(expected.weights.get('layers.1.attn.q.weight')!))).toBeLessThanOrEqual(1e-6);
  });

  test('any searched trial, not only the front; the default is hf and onnx under the run', async () => {
    const run = await carve(['export', RUN, '--member', '9', '--catalog', catalog]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const dir = path.join(folder, 'exports', 't9');
    expect(fs.readdirSync(dir).sort()).toEqual(['index.json', expect.stringMatching(/^t9-/)]);
  });

  test.each([
    ['a member that was never searched', ['--member', '4'], /^carve: .*: no trial 4; the front's are 0, 7 \(trials.json lists the rest\)\n$/],
    ['an unknown format', ['--member', '7', '--format', 'hf,tflite'], /unknown format tflite: give a comma-separated list of hf, onnx, gguf/],
    ['an unknown run', ['--member', '7', '--catalog', path.join(tmp, 'none')], /^carve: run 20261206-2000-abcdef: no folder/],
  ])('%s is one clear line, exit 2, and writes nothing', async (_, extra, message) => {
    const target = path.join(tmp, 'refused');
    const run = await carve(['export', RUN, '--catalog', catalog, '--out', target, ...extra]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(fs.existsSync(target)).toBe(false);
  });
});

/** Adapters as training leaves them: fresh ones have B = 0, so B is random to make the merge matter. */
function randomAdapters(): Map<string, Float32Array> {
  const adapters = initLora(model.config, lora, new Rng(1));
  const rng = new Rng(2);
  for (const [name, b] of adapters) if (name.endsWith('lora_b')) b.forEach((_, i) => (b[i] = rng.normal(0, 0.02)));
  return adapters;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** What `carve generate --temperature 0` prints for PROMPT on the exported folder, without the prompt. */
async function carveGenerate(dir: string, tokens: number): Promise<string> {
  const run = await carve(['generate', '--checkpoint', dir, '--tokenizer', dir, '--prompt', PROMPT, '--temperature', '0', '--max-new-tokens', String(tokens)]);
  expect([run.code, run.stderr]).toEqual([0, '']);
  expect(run.stdout.startsWith(PROMPT)).toBe(true);
  return run.stdout.slice(PROMPT.length).replace(/\n$/, '');
}

describe('the exported folder in transformers.js', () => {
  beforeAll(() => {
    transformers.env.allowRemoteModels = false;
    transformers.env.allowLocalModels = true;
    transformers.env.localModelPath = out;
  });

  test('pipeline("text-generation") continues greedily as carve generate does', async () => {
    const generator = await transformers.pipeline('text-generation', path.basename(memberFolder), { dtype: 'fp32', device: 'cpu' });
    const [result] = (await generator(PROMPT, { max_new_tokens: 20, do_sample: false, return_full_text: false })) as { generated_text: string }[];
    await generator.dispose();
    expect(result.generated_text).toBe(await carveGenerate(memberFolder, 20));
  });

  test('AutoModelForCausalLM gives our logits (≤ 1e-4), also for a left-padded batch', async () => {
    const tokenizer = await transformers.AutoTokenizer.from_pretrained(path.basename(memberFolder));
    const lm = await transformers.AutoModelForCausalLM.from_pretrained(path.basename(memberFolder), { dtype: 'fp32', device: 'cpu' });
    const ours = loadTokenizer(memberFolder);
    const texts = [PROMPT, 'We will'];
    tokenizer.padding_side = 'left';
    const inputs = tokenizer(texts, { padding: true });
    const ids = inputs.input_ids.tolist() as bigint[][];
    // transformers.js encodes as carve does (BOS first).
    expect(ids[0].map(Number)).toEqual(ours.encode(PROMPT, { bos: true }));
    const { logits } = await lm(inputs);
    const [B, T, V] = logits.dims as number[];
    const data = logits.data as Float32Array;
    const reference = await LanguageModel.create(loadCheckpoint(memberFolder));
    for (let b = 0; b < B; b++) {
      const real = ours.encode(texts[b], { bos: true });
      const mine = (await reference.logits(Tensor.from('int64', [1, real.length], real))).data as Float32Array;
      const theirs = data.subarray((b * T + T - real.length) * V, (b + 1) * T * V);
      expect(maxAbsDiff(theirs, mine)).toBeLessThanOrEqual(1e-4);
    }
    await reference.dispose();
    await lm.dispose();
  });
});

test('the exported GGUF in llama.cpp continues greedily as carve generate does', async () => {
  const text = runLlamaCpp({ model: path.join(memberFolder, 'model-f32.gguf'), completion: { prompt: PROMPT, n_predict: 20 } }).completion!.text;
  expect(text).toBe(await carveGenerate(memberFolder, 20));
});
