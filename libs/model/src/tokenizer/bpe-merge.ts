/**
 * @module bpe-merge
 * Score-ordered pair merging, the encoding loop of SentencePiece BPE and of llama2.c's
 * `encode`: while some adjacent pair of tokens spells a piece of the vocabulary, merge the
 * pair whose piece has the best score, the leftmost pair on a tie.
 *
 * llama2.c rescans the whole sequence for every merge, which is quadratic and takes minutes
 * on a megabyte of text. This keeps the candidate pairs in a heap ordered by (score, left
 * position) instead, as SentencePiece's own encoder does, so it picks the same pair at
 * every step. Tokens live in a linked list over their original positions; a candidate
 * remembers the versions of its two tokens and is dropped when either has changed since.
 */

/** Id of the piece that tokens `left` and `right` merge into, if there is one. */
export type PairLookup = (left: number, right: number) => number | undefined;

/** Merges `ids` as described in the module comment; `scores[id]` ranks the merged pieces. */
export function mergePairs(ids: readonly number[], pairId: PairLookup, scores: ArrayLike<number>): number[] {
  const n = ids.length;
  const tokens = Int32Array.from(ids);
  const next = new Int32Array(n); // next[i] = n: i is the last token
  const prev = new Int32Array(n); // prev[i] = -1: i is the first token
  const version = new Int32Array(n); // bumped whenever a token changes or is merged away
  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  const heap = new CandidateHeap();
  const consider = (left: number): void => {
    const right = next[left];
    if (right >= n) return;
    const merged = pairId(tokens[left], tokens[right]);
    if (merged !== undefined) heap.push(scores[merged], left, right, version[left], version[right], merged);
  };
  for (let i = 0; i + 1 < n; i++) consider(i);

  while (heap.size > 0) {
    const c = heap.pop();
    if (version[c.left] !== c.leftVersion || version[c.right] !== c.rightVersion) continue;
    // The left token becomes the merged one; the right one leaves the list.
    tokens[c.left] = c.merged;
    version[c.left]++;
    version[c.right]++;
    next[c.left] = next[c.right];
    if (next[c.right] < n) prev[next[c.right]] = c.left;
    if (prev[c.left] >= 0) consider(prev[c.left]);
    consider(c.left);
  }

  // Token 0 is never merged away (only right tokens are), so the list starts there.
  const out: number[] = [];
  for (let i = 0; i < n; i = next[i]) out.push(tokens[i]);
  return out;
}

interface Candidate {
  readonly score: number;
  readonly left: number;
  readonly right: number;
  readonly leftVersion: number;
  readonly rightVersion: number;
  readonly merged: number;
}

/** Binary max-heap of candidates: higher score first, then smaller left position. */
class CandidateHeap {
  private readonly items: Candidate[] = [];

  get size(): number {
    return this.items.length;
  }

  push(score: number, left: number, right: number, leftVersion: number, rightVersion: number, merged: number): void {
    const items = this.items;
    items.push({ score, left, right, leftVersion, rightVersion, merged });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): Candidate {
    const items = this.items;
    const top = items[0];
    const last = items.pop() as Candidate;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      while (true) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && before(items[l], items[best])) best = l;
        if (r < items.length && before(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}

function before(a: Candidate, b: Candidate): boolean {
  return a.score > b.score || (a.score === b.score && a.left < b.left);
}
