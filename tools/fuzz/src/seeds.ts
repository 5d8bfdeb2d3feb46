/**
 * @module seeds
 * The valid files every case starts from, written by the project's own writers where it has
 * them (saveHfCheckpoint, toHfTokenizerJson), so a mutation that changes nothing must load.
 * Everything is tiny: a case must take milliseconds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Llama2cTokenizer, ModelConfigInput, paramSpecs, resolveConfig, saveHfCheckpoint, toHfTokenizerConfig, toHfTokenizerJson } from '@carve/model';
import { Prng } from './prng';

/** Where the seeds are, and the small documents kept as values for JSON mutations. */
export interface Seeds {
  dir: string;
  /** Hugging Face folders by family, and one sharded into several safetensors files. */
  hf: Record<'llama' | 'gpt2' | 'gpt_neox' | 'sharded', string>;
  llama2cBin: string;
  tokenizerBin: string;
  /** A folder holding tokenizer.json and tokenizer_config.json. */
  tokenizerFolder: string;
  spec: Record<string, unknown>;
  specYaml: string;
  /** Task name → the plugin's JSONL records (one evaluation split). */
  tasks: Record<string, Record<string, unknown>[]>;
  training: { jsonl: Record<string, unknown>[]; alpaca: Record<string, unknown>[] };
  importance: Record<string, unknown>;
  manifest: Record<string, unknown>;
  text: string;
}

const TINY: Record<'llama' | 'gpt2' | 'gpt_neox', ModelConfigInput> = {
  llama: { name: 'tiny', family: 'llama', vocabSize: 32, nEmbd: 8, nLayer: 2, nHead: 2, nQueryGroups: 1, mlpHidden: 12, blockSize: 16 },
  gpt2: { name: 'tiny', family: 'gpt2', vocabSize: 32, nEmbd: 8, nLayer: 2, nHead: 2, blockSize: 16 },
  gpt_neox: { name: 'tiny', family: 'gpt_neox', vocabSize: 32, nEmbd: 16, nLayer: 2, nHead: 2, blockSize: 16 },
};

function saveTiny(input: ModelConfigInput, folder: string, maxShardBytes?: number): void {
  const config = resolveConfig(input);
  const rng = new Prng(7);
  const weights = new Map(paramSpecs(config).map((s) => [s.name, Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => rng.next() - 0.5)]));
  saveHfCheckpoint({ config, weights }, folder, { maxShardBytes });
}

/** llama2.c's run.c checkpoint: 7 int32 sizes (vocab negative: an untied head at the end), then float32s. */
function llama2cBin(): Buffer {
  const [dim, hidden, layers, heads, kvHeads, vocab, seqLen] = [8, 12, 2, 2, 1, 16, 8];
  const hs = dim / heads;
  const kv = kvHeads * hs;
  const floats = vocab * dim + layers * (2 * dim + 2 * dim * dim + 2 * kv * dim + 3 * hidden * dim) + dim + seqLen * hs + vocab * dim;
  const rng = new Prng(3);
  return Buffer.concat([Buffer.from(Int32Array.of(dim, hidden, layers, heads, kvHeads, -vocab, seqLen).buffer), Buffer.from(Float32Array.from({ length: floats }, () => rng.next() - 0.5).buffer)]);
}

/** A llama2.c tokenizer.bin: control and byte tokens, then pieces that merge into "hello world". */
export function llama2cTokenizerBytes(): Buffer {
  const bytes = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  const words = [' ', 'a', 'd', 'e', 'h', 'l', 'o', 'r', 'w', 'he', 'll', 'or', 'hell', 'hello', ' hello', 'wor', 'world', ' world'];
  const pieces = ['<unk>', '\n<s>\n', '\n</s>\n', ...bytes, ...words];
  const parts = [Buffer.from(Int32Array.of(8).buffer)];
  pieces.forEach((p, i) => {
    const head = Buffer.alloc(8);
    head.writeFloatLE(i >= 259 ? 10 * p.length - (i - 259) / 100 : 0, 0); // longer pieces merge first
    head.writeInt32LE(Buffer.byteLength(p, 'latin1'), 4);
    parts.push(head, Buffer.from(p, 'latin1'));
  });
  return Buffer.concat(parts);
}

const TEXT = Array.from({ length: 8 }, (_, i) => `Paragraph ${i} tells of a hello world. The world said hello back to it. Then the little cat slept near the warm window again.`).join('\n\n');

/** Records of each task's evaluation split, in the Hugging Face datasets' field layouts. */
const TASKS: Seeds['tasks'] = {
  'arc-easy': [
    { id: 'q1', question: 'What melts ice?', choices: { text: ['heat', 'cold', 'dark', 'wind'], label: ['A', 'B', 'C', 'D'] }, answerKey: 'A' },
    { id: 'q2', question: 'Which is a planet?', choices: { text: ['Moon', 'Mars'], label: ['1', '2'] }, answerKey: '2' },
    { id: 'q3', question: 'What do plants need?', choices: { text: ['light', 'noise', 'rust'], label: ['A', 'B', 'C'] }, answerKey: 'A' },
  ],
  boolq: [
    { passage: 'Cats are mammals.', question: 'are cats mammals', label: 1 },
    { passage: 'Fish live in water.', question: 'do fish fly', answer: false },
    { passage: 'Snow is cold.', question: 'is snow cold', label: '1' },
  ],
  piqa: [0, 1, 0].map((label, i) => ({ goal: `Open jar ${i}`, sol1: 'Twist the lid.', sol2: 'Eat the lid.', label })),
  winogrande: ['1', '2', '2'].map((answer, i) => ({ sentence: `Cup ${i} fell off the table because _ was tilted.`, option1: 'the cup', option2: 'the table', answer })),
  'lambada-openai': ['friend', 'dog', 'cat'].map((w) => ({ text: `She opened the door and saw her old ${w}` })),
  hellaswag: ['0', '1', 3].map((label) => ({ activity_label: 'Cooking', ctx_a: 'A man cracks eggs.', ctx_b: 'he', endings: ['whisks them.', 'sleeps.', 'runs.', 'sings.'], label })),
};

const manifest = {
  format: 1,
  id: '20260101-1200-abcdef',
  status: 'complete',
  created: '2026-01-01T12:00:00.000Z',
  updated: '2026-01-01T12:30:00.000Z',
  spec: { seed: 1 },
  seeds: { search: 1, sampler: 7 },
  versions: { '@carve/cli': '0.1.0' },
  stages: [{ name: 'train', status: 'complete', started: '2026-01-01T12:00:00.000Z', seconds: 12.5, peakRssMb: 300 }],
  summary: { model: 'tiny', objectives: ['val-loss', 'params'], trials: 4, frontSize: 2, hypervolume: 0.5 },
  device: { requested: 'cpu', provider: 'cpu', description: 'CPU' },
  files: [{ name: 'front.json', size: 10, sha256: 'a'.repeat(64) }],
};

/** A spec using most sections, naming the seed files. */
function specOf(s: Pick<Seeds, 'dir' | 'hf' | 'tokenizerFolder'>): Record<string, unknown> {
  return {
    name: 'fuzz',
    seed: 1,
    device: 'cpu',
    model: { checkpoint: s.hf.llama, tokenizer: path.join(s.tokenizerFolder, 'tokenizer.json') },
    data: { train: [path.join(s.dir, 'train.txt')], format: 'text', separator: '\n\n', validationFraction: 0.1 },
    space: { name: 'joint', options: { minDepth: 1 } },
    importance: { samples: 4, seqLen: 8, statistic: 'l2' },
    sampler: { name: 'calibrated', options: {} },
    training: { steps: 2, batchSize: 2, seqLen: 8, lr: 0.001, lora: { rank: 2, alpha: 4, dropout: 0.1, targets: ['q', 'v'] } },
    search: { objectives: [{ name: 'val-loss' }, { name: 'params' }], constraints: [{ objective: 'params', max: 100000 }], budget: 4, reference: [10, 200000] },
    latency: { batch: 1, seqLen: 8, threads: 1, warmup: 0, repeats: 2 },
    evaluation: { tasks: [{ name: 'text-cloze', options: { minWords: 3 } }], limit: 4, shots: 0 },
    export: { max: 2, formats: ['hf', 'gguf'], ggufType: 'f32' },
    output: { catalog: 'local', root: 'carve-runs' },
  };
}

/** Block-style YAML of plain JSON data (strings double-quoted, which YAML reads as JSON does). */
export function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) return value.length ? value.map((v) => `\n${indent}- ${toYaml(v, `${indent}  `).trimStart()}`).join('') : ' []';
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([k, v]) => `\n${indent}${k}:${typeof v === 'object' && v !== null ? toYaml(v, `${indent}  `) : ` ${JSON.stringify(v)}`}`).join('') : ' {}';
  }
  return ` ${JSON.stringify(value)}`;
}

/** Writes every seed under `dir` (created). */
export function writeSeeds(dir: string): Seeds {
  fs.mkdirSync(dir, { recursive: true });
  const hf = { llama: path.join(dir, 'hf-llama'), gpt2: path.join(dir, 'hf-gpt2'), gpt_neox: path.join(dir, 'hf-gpt-neox'), sharded: path.join(dir, 'hf-sharded') };
  saveTiny(TINY.llama, hf.llama);
  saveTiny(TINY.gpt2, hf.gpt2);
  saveTiny(TINY.gpt_neox, hf.gpt_neox);
  saveTiny({ ...TINY.llama, qkvBias: true }, hf.sharded, 1024);
  const llama2c = path.join(dir, 'tiny.bin');
  fs.writeFileSync(llama2c, llama2cBin());
  const tokenizerBin = path.join(dir, 'tokenizer.bin');
  fs.writeFileSync(tokenizerBin, llama2cTokenizerBytes());
  const tokenizerFolder = path.join(dir, 'tokenizer');
  fs.mkdirSync(tokenizerFolder, { recursive: true });
  const tokenizer = Llama2cTokenizer.fromBytes(llama2cTokenizerBytes(), tokenizerBin);
  fs.writeFileSync(path.join(tokenizerFolder, 'tokenizer.json'), JSON.stringify(toHfTokenizerJson(tokenizer)));
  fs.writeFileSync(path.join(tokenizerFolder, 'tokenizer_config.json'), JSON.stringify(toHfTokenizerConfig()));
  fs.writeFileSync(path.join(dir, 'train.txt'), TEXT);
  const spec = specOf({ dir, hf, tokenizerFolder });
  const importance = {
    carve: { '@carve/cli': '0.1.0' },
    model: { name: 'tiny', family: 'llama', parameters: 1000, checkpoint: hf.llama },
    statistic: 'mean-abs',
    orders: { channels: [0, 1, 2, 3, 4, 5, 6, 7], heads: [{ groups: [0], queries: [[1, 0]] }], neurons: [[0, 1]], layers: [1, 0] },
  };
  const training = {
    jsonl: Array.from({ length: 6 }, (_, i) => ({ text: `hello world number ${i}, said the cat` })),
    alpaca: [
      { instruction: 'Say hello.', input: '', output: 'hello world' },
      { instruction: 'Repeat {input}.', input: 'world', output: 'world world' },
      { instruction: 'Greet.', output: 'hello' },
    ],
  };
  return { dir, hf, llama2cBin: llama2c, tokenizerBin, tokenizerFolder, spec, specYaml: `${toYaml(spec).trimStart()}\n`, tasks: TASKS, training, importance, manifest, text: TEXT };
}
