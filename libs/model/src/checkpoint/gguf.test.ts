/**
 * The GGUF writer on its own: the file's layout read back by readGguf (metadata,
 * dimensions innermost first, [out, in] weights, interleaved q and k, alignment), the
 * tokenizer metadata, and what it refuses.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromHalf, Rng, toHalf } from '@carve/engine';
import { resolveConfig } from '../config';
import { initWeights } from '../init';
import { loadTokenizer } from '../tokenizer/load-tokenizer';
import { Checkpoint, float32Of, transpose2d } from './checkpoint';
import { ggufIssues, readGguf, saveGguf } from './gguf';
import { toInterleavedRope } from './rope-layout';

const EMBEDDED = path.resolve(__dirname, '../../../../models/carve-sotu-1m');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-gguf-unit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('saveGguf', () => {
  const config = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 512, nEmbd: 16, nLayer: 2, nHead: 4, nQueryGroups: 2, headSize: 6, mlpHidden: 24, blockSize: 64, ropeTheta: 500 });
  const model: Checkpoint = { config, weights: initWeights(config, new Rng(2), 0.3) };
  const tokenizer = loadTokenizer(EMBEDDED, { vocabSize: 512 });

  test('writes llama metadata and every tensor as llama.cpp names and lays it out', () => {
    const file = path.join(tmp, 'tiny.gguf');
    saveGguf(file, model, tokenizer, { type: 'f32', metadata: { 'carve.source': 'test' } });
    const g = readGguf(file);
    expect(g.version).toBe(3);
    const m = Object.fromEntries([...g.metadata].filter(([k]) => !k.startsWith('tokenizer.')));
    expect(m).toEqual({
      'general.architecture': 'llama', 'general.name': 'tiny', 'general.file_type': 0, 'general.alignment': 32,
      'llama.vocab_size': 512, 'llama.context_length': 64, 'llama.embedding_length': 16, 'llama.block_count': 2, 'llama.feed_forward_length': 24,
      'llama.attention.head_count': 4, 'llama.attention.head_count_kv': 2, 'llama.attention.key_length': 6, 'llama.attention.value_length': 6,
      'llama.attention.layer_norm_rms_epsilon': Math.fround(1e-5), 'llama.rope.dimension_count': 6, 'llama.rope.freq_base': 500, 'carve.source': 'test',
    });
    expect(g.tensors.map((t) => t.name)).toEqual([
      'token_embd.weight',
      ...[0, 1].flatMap((l) => ['attn_norm', 'attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_norm', 'ffn_gate', 'ffn_up', 'ffn_down'].map((n) => `blk.${l}.${n}.weight`)),
      'output_norm.weight',
      'output.weight',
    ]);
    const shape = (name: string) => g.tensors.find((t) => t.name === name)!.shape;
    expect(shape('token_embd.weight')).toEqual([512, 16]);
    expect(shape('blk.0.attn_q.weight')).toEqual([24, 16]);
    expect(shape('blk.0.attn_k.weight')).toEqual([12, 16]);
    expect(shape('blk.1.attn_output.weight')).toEqual([16, 24]);
    expect(shape('blk.1.ffn_down.weight')).toEqual([16, 24]);
    expect(shape('output.weight')).toEqual([512, 16]);
    for (const t of g.tensors) expect(t.offset % 32).toBe(0);
    // [out, in] of ours, with q and k in interleaved RoPE order.
    const interleaved = toInterleavedRope(model).weights;
    expect(g.read('blk.1.attn_q.weight')).toEqual(transpose2d(float32Of(interleaved.get('layers.1.attn.q.weight')!), 16, 24));
    expect(g.read('blk.1.attn_v.weight')).toEqual(transpose2d(float32Of(model.weights.get('layers.1.attn.v.weight')!), 16, 12));
    expect(g.read('blk.0.ffn_norm.weight')).toEqual(model.weights.get('layers.0.norm_2.weight'));
    expect(g.read('token_embd.weight')).toEqual(model.weights.get('wte'));
  });

  test('f16 stores the matrices in half precision and the norms in f32; a tied head has no output.weight', () => {
    const tied = resolveConfig({ ...config, name: 'tied', tiedEmbeddings: true });
    const weights = initWeights(tied, new Rng(3), 0.3);
    const file = path.join(tmp, 'tied.gguf');
    saveGguf(file, { config: tied, weights }, tokenizer);
    const g = readGguf(file);
    expect(g.metadata.get('general.file_type')).toBe(1);
    expect(g.tensors.some((t) => t.name === 'output.weight')).toBe(false);
    const type = (name: string) => g.tensors.find((t) => t.name === name)!.type;
    expect([type('token_embd.weight'), type('blk.0.ffn_up.weight'), type('blk.0.attn_norm.weight'), type('output_norm.weight')]).toEqual([1, 1, 0, 0]);
    expect(g.read('token_embd.weight')).toEqual(fromHalf(toHalf(weights.get('wte')!)));
  });

  test('the tokenizer metadata: SentencePiece-style tokens with scores ranked like the merges, types, special ids', () => {
    const file = path.join(tmp, 'tok.gguf');
    saveGguf(file, model, tokenizer, { type: 'f32' });
    const g = readGguf(file);
    const tokens = g.metadata.get('tokenizer.ggml.tokens') as string[];
    const types = g.metadata.get('tokenizer.ggml.token_type') as number[];
    const scores = g.metadata.get('tokenizer.ggml.scores') as number[];
    expect(g.metadata.get('tokenizer.ggml.model')).toBe('llama');
    expect(tokens).toHaveLength(512);
    expect(tokens.slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', '<0x00>']);
    expect(types.slice(0, 4)).toEqual([2, 3, 3, 6]);
    expect(types[300]).toBe(1);
    expect([g.metadata.get('tokenizer.ggml.bos_token_id'), g.metadata.get('tokenizer.ggml.eos_token_id'), g.metadata.get('tokenizer.ggml.add_bos_token')]).toEqual([1, 2, true]);
    // The tokenizer's first merge makes the highest-scored token.
    const merges = (JSON.parse(fs.readFileSync(path.join(EMBEDDED, 'tokenizer.json'), 'utf8')) as { model: { merges: [string, string][] } }).model.merges;
    const first = tokens.indexOf(merges[0].join(''));
    expect(scores[first]).toBe(Math.max(...scores));
  });

  test('refuses what llama.cpp would read as another model, naming why, and writes nothing', () => {
    const gpt2 = resolveConfig({ name: 'g', family: 'gpt2', vocabSize: 512, nEmbd: 16, nLayer: 1, nHead: 2 });
    expect(ggufIssues(gpt2)[0]).toMatch(/family 'gpt2' is not supported/);
    expect(ggufIssues(resolveConfig({ ...config, qkvBias: true }))).toEqual([expect.stringMatching(/biases/)]);
    expect(ggufIssues(config)).toEqual([]);
    const file = path.join(tmp, 'refused.gguf');
    expect(() => saveGguf(file, { config: gpt2, weights: initWeights(gpt2, new Rng(1)) }, tokenizer)).toThrow(/cannot write 'g' as GGUF: family 'gpt2'/);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('readGguf names what is wrong with a file that is not GGUF or is cut short', () => {
    const file = path.join(tmp, 'tiny-cut.gguf');
    saveGguf(file, model, tokenizer, { type: 'f32' });
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, 200));
    expect(() => readGguf(file)).toThrow(/truncated GGUF/);
    fs.writeFileSync(file, Buffer.from('not a gguf file at all'));
    expect(() => readGguf(file)).toThrow(/not a GGUF file/);
  });
});
