/**
 * @module bpe
 * Trains a byte-fallback BPE vocabulary in llama2.c's layout (3 control tokens, 256 byte
 * tokens, then pieces scored by merge order), which `Llama2cTokenizer` encodes with: each
 * character a piece, then the best-scored adjacent merges first.
 */
import { Llama2cVocab } from '@carve/model';

const encoder = new TextEncoder();

/**
 * A vocabulary of `size` tokens for `texts`: the characters seen at least `minCount` times,
 * then the most frequent adjacent pairs merged in turn (within words: a word keeps the space
 * before it, as SentencePiece's ▁ does, and never merges across a space).
 */
export function trainBpe(texts: readonly string[], size: number, minCount = 50): Llama2cVocab {
  const control = ['<unk>', '\n<s>\n', '\n</s>\n'];
  const pieces: string[] = [...control, ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)];
  const scores: number[] = pieces.map(() => 0);

  const words = new Map<string, number>();
  for (const text of texts) for (const w of (' ' + text).match(/ ?[^ ]+| +/g) ?? []) words.set(w, (words.get(w) ?? 0) + 1);

  const chars = new Map<string, number>();
  for (const [w, n] of words) for (const ch of w) chars.set(ch, (chars.get(ch) ?? 0) + n);
  const alphabet = [...chars].filter(([ch, n]) => n >= minCount || ch === ' ').sort((a, b) => b[1] - a[1]).map(([ch]) => ch);
  for (const ch of alphabet) {
    pieces.push(ch);
    scores.push(0);
  }
  const known = new Set(pieces);
  // Each word as its sequence of known pieces (unknown characters split it: they stay bytes).
  let split = [...words].map(([w, n]) => ({ parts: Array.from(w), n })).filter(({ parts }) => parts.every((p) => known.has(p)));
  for (let rank = 0; pieces.length < size; rank++) {
    const pairs = new Map<string, number>();
    for (const { parts, n } of split) for (let i = 0; i + 1 < parts.length; i++) pairs.set(parts[i] + '\u0000' + parts[i + 1], (pairs.get(parts[i] + '\u0000' + parts[i + 1]) ?? 0) + n);
    let best = '';
    let bestCount = 0;
    for (const [pair, n] of pairs) if (n > bestCount || (n === bestCount && pair < best)) [best, bestCount] = [pair, n];
    if (bestCount < 2) break;
    const [a, b] = best.split('\u0000');
    const merged = a + b;
    if (!known.has(merged)) {
      pieces.push(merged);
      scores.push(-rank - 1); // earlier merges score higher, as the encoder prefers
      known.add(merged);
    }
    split = split.map(({ parts, n }) => {
      const out: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (i + 1 < parts.length && parts[i] === a && parts[i + 1] === b) {
          out.push(merged);
          i++;
        } else out.push(parts[i]);
      }
      return { parts: out, n };
    });
  }
  return { pieces: pieces.map((p) => encoder.encode(p)), scores: Float32Array.from(scores) };
}
