/**
 * @module checkpoint/gguf-tokenizer
 * A tokenizer as llama.cpp's `tokenizer.ggml.*` metadata. Two of llama.cpp's tokenizer
 * models cover ours:
 * - 'llama' (SentencePiece): tokens spelled with `▁` for space and `<0xXX>` byte tokens,
 *   each with a score; encoding merges the adjacent pair whose join has the highest score.
 *   llama2.c vocabularies carry their scores. A Hugging Face BPE with byte fallback (what
 *   Llama 2's tokenizer.json and our conversions are) gets score −rank of the first merge
 *   that makes the token, so the highest score is the earliest merge, as in BPE.
 * - 'gpt2' (byte-level BPE): the vocabulary and the merges as they are, with GPT-2's
 *   pre-tokenizer.
 */
import { CheckpointError } from './checkpoint';
import { HfTokenizer } from '../tokenizer/hf-tokenizer';
import { Llama2cTokenizer } from '../tokenizer/llama2c-tokenizer';
import { Tokenizer } from '../tokenizer/tokenizer';
import { pieceName } from '../tokenizer/to-hf';
import type { GgufValue } from './gguf';

/** llama.cpp's token types. */
const TOKEN = { normal: 1, unknown: 2, control: 3, unused: 5, byte: 6 } as const;
const BYTE_TOKEN = /^<0x[0-9A-F]{2}>$/;

type Json = Record<string, unknown>;

/**
 * The `tokenizer.ggml.*` entries for `tokenizer`, with the token list padded to the
 * model's `vocabSize` by unused tokens (llama.cpp takes the vocabulary size from the list).
 */
export function ggufTokenizer(tokenizer: Tokenizer, vocabSize: number): [string, GgufValue][] {
  let model: 'llama' | 'gpt2';
  let tokens: string[];
  let scores: number[] | undefined;
  let merges: string[] | undefined;
  let special = new Set<number>();
  let unknownId: number | undefined;
  let addBos: boolean;
  if (tokenizer instanceof Llama2cTokenizer) {
    model = 'llama';
    tokens = tokenizer.pieces.map((bytes, id) => pieceName(bytes, id));
    scores = Array.from(tokenizer.scores);
    special = new Set([tokenizer.bosId, tokenizer.eosId]);
    unknownId = 0;
    addBos = true;
  } else if (tokenizer instanceof HfTokenizer) {
    const bpe = tokenizer.json.model as Json;
    const where = tokenizer.source;
    if (bpe.type !== 'BPE') throw new CheckpointError(`${where}: a ${String(bpe.type)} tokenizer has no GGUF form here (BPE only)`, 'mismatch', where);
    const vocab = bpe.vocab as Record<string, number>;
    tokens = [];
    for (const [text, id] of Object.entries(vocab)) tokens[id] = text;
    const added = (tokenizer.json.added_tokens ?? []) as { id: number; content: string; special?: boolean }[];
    for (const t of added) {
      tokens[t.id] = t.content;
      if (t.special) special.add(t.id);
    }
    const pairs = ((bpe.merges ?? []) as (string | [string, string])[]).map((m) => (typeof m === 'string' ? m : m.join(' ')));
    if (isByteLevel(tokenizer.json)) {
      model = 'gpt2';
      merges = pairs;
    } else {
      model = 'llama';
      scores = mergeScores(tokens, pairs);
      if (typeof bpe.unk_token === 'string' && vocab[bpe.unk_token] !== undefined) unknownId = vocab[bpe.unk_token];
    }
    addBos = tokenizer.addBos;
  } else {
    throw new CheckpointError(`no GGUF form for the tokenizer ${tokenizer.constructor.name}`, 'mismatch');
  }
  if (tokens.length > vocabSize) throw new CheckpointError(`the tokenizer has ${tokens.length} tokens, the model ${vocabSize}`, 'mismatch');
  const types: number[] = [];
  for (let id = 0; id < vocabSize; id++) {
    if (tokens[id] === undefined) {
      tokens[id] = `<unused_${id}>`;
      types.push(TOKEN.unused);
    } else if (id === unknownId) types.push(TOKEN.unknown);
    else if (special.has(id)) types.push(TOKEN.control);
    else if (model === 'llama' && BYTE_TOKEN.test(tokens[id])) types.push(TOKEN.byte);
    else types.push(TOKEN.normal);
  }
  const entries: [string, GgufValue][] = [
    ['tokenizer.ggml.model', { type: 'string', value: model }],
    ['tokenizer.ggml.tokens', { type: 'array', of: 'string', values: tokens }],
    ['tokenizer.ggml.token_type', { type: 'array', of: 'i32', values: types }],
  ];
  if (scores) entries.push(['tokenizer.ggml.scores', { type: 'array', of: 'f32', values: Array.from({ length: vocabSize }, (_, id) => scores![id] ?? 0) }]);
  if (merges) entries.push(['tokenizer.ggml.merges', { type: 'array', of: 'string', values: merges }], ['tokenizer.ggml.pre', { type: 'string', value: 'gpt-2' }]);
  if (tokenizer.bosId !== undefined) entries.push(['tokenizer.ggml.bos_token_id', { type: 'u32', value: tokenizer.bosId }]);
  if (tokenizer.eosId !== undefined) entries.push(['tokenizer.ggml.eos_token_id', { type: 'u32', value: tokenizer.eosId }]);
  if (unknownId !== undefined) entries.push(['tokenizer.ggml.unknown_token_id', { type: 'u32', value: unknownId }]);
  entries.push(['tokenizer.ggml.add_bos_token', { type: 'bool', value: addBos }], ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }]);
  return entries;
}

/** Whether a tokenizer.json maps bytes to GPT-2's printable characters (a ByteLevel pre-tokenizer or decoder). */
function isByteLevel(json: Readonly<Json>): boolean {
  const types = (part: unknown): string[] => {
    if (!part || typeof part !== 'object') return [];
    const p = part as Json;
    return [String(p.type), ...((p.pretokenizers ?? p.decoders ?? []) as unknown[]).flatMap(types)];
  };
  return [...types(json.pre_tokenizer), ...types(json.decoder)].includes('ByteLevel');
}

/**
 * −(rank of the first merge that makes each token). Tokens no merge makes (characters,
 * bytes, specials) start an encoding rather than come out of a merge, so their score only
 * matters if one happens to be the join of two symbols: they then merge last.
 */
function mergeScores(tokens: readonly string[], merges: readonly string[]): number[] {
  const ids = new Map<string, number>();
  tokens.forEach((t, id) => t !== undefined && !ids.has(t) && ids.set(t, id));
  const scores = new Array<number>(tokens.length).fill(-(merges.length + 1));
  const made = new Set<number>();
  merges.forEach((merge, rank) => {
    const space = merge.indexOf(' ');
    const id = ids.get(merge.slice(0, space) + merge.slice(space + 1));
    if (id === undefined || made.has(id)) return;
    made.add(id);
    scores[id] = -(rank + 1);
  });
  return scores;
}
