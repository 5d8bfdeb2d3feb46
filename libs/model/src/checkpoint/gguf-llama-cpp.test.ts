/**
 * GGUF files written by saveGguf, run by llama.cpp itself (@fugood/llama.node): it
 * tokenizes prompts as we do, continues them greedily with our text, and its next-token
 * probabilities agree with ours. llama.cpp reads nothing of ours but the file, so this
 * checks the weight layout (transposes, the RoPE permutation, tied heads), the
 * hyperparameters and the tokenizer metadata against an independent implementation.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromHalf, Rng, Tensor, toHalf } from '@carve/engine';
import { describeWithAssets, STORIES260K, TOK512 } from '@carve/test-assets';
import { runLlamaCpp } from '@carve/test-llama-cpp';
import { extractSubNetwork } from '../extract';
import { initWeights } from '../init';
import { LanguageModel } from '../language-model';
import { resolveConfig } from '../config';
import { HfTokenizer } from '../tokenizer/hf-tokenizer';
import { loadTokenizer } from '../tokenizer/load-tokenizer';
import { Tokenizer } from '../tokenizer/tokenizer';
import { Checkpoint, float32Of } from './checkpoint';
import { GgufType, readGguf, saveGguf } from './gguf';
import { loadCheckpoint } from './hf';
import { loadLlama2c } from './llama2c';

const EMBEDDED = path.resolve(__dirname, '../../../../models/carve-sotu-1m');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-gguf-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PROMPTS = ['The people of the United States', 'Our economy is growing, and we will', 'We must act now.\nTonight I ask Congress'];

/** Our greedy continuation of `prompt` (BOS first, as llama.cpp adds it), as the text it adds to the prompt's. */
async function ourGreedy(model: Checkpoint, tokenizer: Tokenizer, prompt: string, tokens: number): Promise<string> {
  const lm = await LanguageModel.create(model);
  const ids = tokenizer.encode(prompt, { bos: true });
  const out = await lm.generate(ids, { maxNewTokens: tokens, stopToken: tokenizer.eosId });
  await lm.dispose();
  // Decoded with the prompt, since a decoder drops the leading space of a text's first token.
  return tokenizer.decode([...ids, ...out.filter((id) => id !== tokenizer.eosId)]).slice(tokenizer.decode(ids).length);
}

/** Our probabilities of the next token after `prompt`, by token id. */
async function ourProbabilities(model: Checkpoint, ids: number[]): Promise<Float64Array> {
  const lm = await LanguageModel.create(model);
  const logits = (await lm.logits(Tensor.from('int64', [1, ids.length], ids))).data as Float32Array;
  await lm.dispose();
  const V = model.config.vocabSize;
  const last = logits.subarray((ids.length - 1) * V, ids.length * V);
  const max = Math.max(...last);
  const exp = Float64Array.from(last, (x) => Math.exp(x - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}

/**
 * llama.cpp's ten largest next-token probabilities after `prompt` against ours, in order
 * (|Δp| ≤ tolerance each). Compared by value: the greedy texts already check which tokens.
 */
async function expectSameProbabilities(file: string, model: Checkpoint, tokenizer: Tokenizer, prompt: string, tolerance: number): Promise<void> {
  // Temperature 1 and no truncation, so the reported probabilities are the model's softmax.
  const answer = runLlamaCpp({ model: file, completion: { prompt, n_predict: 1, n_probs: 10, temperature: 1, top_k: 0, top_p: 1, min_p: 0 } });
  const theirs = answer.completion!.probs[0].probs.map((p) => p.prob);
  const ours = Array.from(await ourProbabilities(model, tokenizer.encode(prompt, { bos: true }))).sort((a, b) => b - a).slice(0, 10);
  expect(theirs).toHaveLength(10);
  theirs.forEach((p, i) => expect(Math.abs(p - ours[i])).toBeLessThanOrEqual(tolerance));
}

/**
 * A model's GGUF in llama.cpp: the same prompt tokens, the same greedy text (unless
 * `greedy` is false: a random model's bytes are mostly invalid UTF-8, which decoders
 * render differently), the same probabilities.
 */
async function checkParity(name: string, model: Checkpoint, tokenizer: Tokenizer, type: GgufType, tolerance: number, prompts = PROMPTS, greedy = true): Promise<void> {
  const file = path.join(tmp, `${name}-${type}.gguf`);
  saveGguf(file, model, tokenizer, { type });
  // What llama.cpp computes from: f16 weights are rounded once, so our reference is too.
  const reference = type === 'f16' ? roundedToF16(file, model) : model;
  // tokenize() leaves out BOS; completions add it, as the file's add_bos_token says.
  const answer = runLlamaCpp({ model: file, tokenize: prompts });
  expect(answer.tokens).toEqual(prompts.map((p) => tokenizer.encode(p, { bos: false })));
  for (const prompt of prompts) await expectSameProbabilities(file, reference, tokenizer, prompt, tolerance);
  for (const prompt of greedy ? prompts : []) {
    const text = runLlamaCpp({ model: file, completion: { prompt, n_predict: 24 } }).completion!.text;
    expect(text).toBe(await ourGreedy(reference, tokenizer, prompt, 24));
  }
}

/** `model` with the weights the f16 file stores in f16 (all but the norms) rounded as the file rounds them. */
function roundedToF16(file: string, model: Checkpoint): Checkpoint {
  expect(readGguf(file).metadata.get('general.file_type')).toBe(1);
  const weights = new Map(model.weights);
  for (const [name, data] of model.weights) if (!name.includes('norm')) weights.set(name, fromHalf(toHalf(float32Of(data))));
  return { config: model.config, weights };
}

describe('GGUF in llama.cpp', () => {
  const model = loadCheckpoint(EMBEDDED);
  const tokenizer = loadTokenizer(EMBEDDED, { vocabSize: model.config.vocabSize });

  test('the embedded model (a Hugging Face byte-fallback BPE tokenizer), f32', async () => {
    await checkParity('embedded', model, tokenizer, 'f32', 1e-4);
  });

  test('the embedded model, f16', async () => {
    await checkParity('embedded', model, tokenizer, 'f16', 2e-3);
  });

  test('a sub-network whose head size (16) is not hidden / heads (96 / 2), with two of four layers', async () => {
    const sub = extractSubNetwork(model, { embedDim: 96, headSize: 16, layers: [0, 3].map((index) => ({ index, heads: 2, mlpHidden: 200 })) });
    await checkParity('embedded-sub', sub, tokenizer, 'f32', 1e-4, PROMPTS.slice(0, 1));
  });

  test('a byte-level BPE tokenizer (GPT-2 style) on an untied random Llama', async () => {
    const tok = new HfTokenizer(byteLevelTokenizerJson(), { bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', add_bos_token: true }, 'byte-level.json');
    const config = resolveConfig({ name: 'bytes', family: 'llama', vocabSize: tok.vocabSize, nEmbd: 32, nLayer: 2, nHead: 4, nQueryGroups: 2, mlpHidden: 48, blockSize: 128 });
    const random = { config, weights: initWeights(config, new Rng(7), 0.5) };
    await checkParity('bytes', random, tok, 'f32', 1e-4, ['hello there, the world', 'a test of ünïcode'], false);
  });
});

describeWithAssets('GGUF in llama.cpp: stories260K', () => {
  test('a llama2.c model and tokenizer: greedy decoding from BOS gives the published text', async () => {
    const model = loadLlama2c(STORIES260K);
    const tokenizer = loadTokenizer(TOK512, { vocabSize: model.config.vocabSize });
    const file = path.join(tmp, 'stories260K-f32.gguf');
    saveGguf(file, model, tokenizer, { type: 'f32' });
    // llama.cpp takes no empty prompt; greedy decoding from BOS begins with "Once", so from BOS + "Once" it goes on the same way.
    const text = runLlamaCpp({ model: file, completion: { prompt: 'Once', n_predict: 59 } }).completion!.text;
    expect(text).toBe(await ourGreedy(model, tokenizer, 'Once', 59));
    expect(`Once${text}`.startsWith('Once upon a time, there was a little girl named Lily. She loved to play outside in the park.')).toBe(true);
    await checkParity('stories260K', model, tokenizer, 'f32', 1e-4, ['Once upon a time, there was a', 'The cat sat on the mat. It was']);
  });
});

/** GPT-2's map of bytes to printable characters. */
function bytesToUnicode(): string[] {
  const printable = [...range(33, 126), ...range(161, 172), ...range(174, 255)];
  const chars: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) chars.push(String.fromCodePoint(printable.includes(b) ? b : 256 + extra++));
  return chars;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** A small byte-level BPE tokenizer.json: the 256 byte characters, a few merges, one special token. */
function byteLevelTokenizerJson(): object {
  const chars = bytesToUnicode();
  const vocab: Record<string, number> = {};
  chars.forEach((c, i) => (vocab[c] = i));
  const merges = [['Ġ', 't'], ['h', 'e'], ['Ġt', 'he'], ['e', 'r'], ['l', 'l'], ['Ġ', 'w'], ['o', 'r'], ['Ġw', 'or'], ['t', 'h'], ['e', 's']];
  for (const [a, b] of merges) if (vocab[a + b] === undefined) vocab[a + b] = Object.keys(vocab).length;
  const special = Object.keys(vocab).length;
  return {
    version: '1.0',
    added_tokens: [{ id: special, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges: merges.map(([a, b]) => `${a} ${b}`) },
  };
}
