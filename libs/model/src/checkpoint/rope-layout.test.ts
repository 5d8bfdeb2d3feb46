import { resolveConfig } from '../config';
import { Checkpoint, float32Of } from './checkpoint';
import { interleavedToHalfOrder, toHalfRope, toInterleavedRope } from './rope-layout';

describe('interleaved to rotate-half RoPE', () => {
  it('moves feature 2i to slot i and 2i+1 to slot i + r/2, as transformers’ conversion script permutes', () => {
    expect(interleavedToHalfOrder(8, 8)).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    expect(interleavedToHalfOrder(8, 4)).toEqual([0, 2, 1, 3, 4, 5, 6, 7]); // partial RoPE: the tail stays
    // convert_llama_weights_to_hf.py: w.view(heads, hs / 2, 2, in).transpose(1, 2): slot a·hs/2 + i takes row 2i + a.
    const hs = 16;
    const script = Array.from({ length: hs }, (_, j) => 2 * (j % (hs / 2)) + Math.floor(j / (hs / 2)));
    expect(interleavedToHalfOrder(hs, hs)).toEqual(script);
  });

  it('permutes the output features of q and k weights and biases within each head, and nothing else', () => {
    const config = resolveConfig({ name: 'r', family: 'llama', vocabSize: 4, nEmbd: 8, nLayer: 1, nHead: 2, nQueryGroups: 1, mlpHidden: 4, qkvBias: true, ropeLayout: 'interleaved' });
    const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i);
    const weights = new Map([
      ['layers.0.attn.q.weight', ramp(8 * 8)], // [in 8, out 2 heads × 4]
      ['layers.0.attn.k.bias', ramp(4)],
      ['layers.0.attn.v.weight', ramp(8 * 4)],
    ]);
    const converted = toHalfRope({ config, weights } as Checkpoint);
    expect(converted.config.ropeLayout).toBe('half');
    expect(Array.from(float32Of(converted.weights.get('layers.0.attn.q.weight')!).subarray(8, 16))).toEqual([8, 10, 9, 11, 12, 14, 13, 15]);
    expect(Array.from(float32Of(converted.weights.get('layers.0.attn.k.bias')!))).toEqual([0, 2, 1, 3]);
    expect(converted.weights.get('layers.0.attn.v.weight')).toBe(weights.get('layers.0.attn.v.weight'));
    const half = { config: { ...config, ropeLayout: 'half' as const }, weights };
    expect(toHalfRope(half)).toBe(half);
  });

  it('toInterleavedRope undoes toHalfRope, for full and partial rotary', () => {
    for (const rotaryFraction of [1, 0.5]) {
      const config = resolveConfig({ name: 'r', family: 'gpt_neox', vocabSize: 4, nEmbd: 16, nLayer: 1, nHead: 2, mlpHidden: 4, rotaryFraction, ropeLayout: 'interleaved' });
      const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i * 0.5);
      const weights = new Map([
        ['layers.0.attn.q.weight', ramp(16 * 16)],
        ['layers.0.attn.k.bias', ramp(16)],
      ]);
      const back = toInterleavedRope(toHalfRope({ config, weights } as Checkpoint));
      expect(back.config.ropeLayout).toBe('interleaved');
      expect(back.weights.get('layers.0.attn.q.weight')).toEqual(weights.get('layers.0.attn.q.weight'));
      expect(back.weights.get('layers.0.attn.k.bias')).toEqual(weights.get('layers.0.attn.k.bias'));
    }
  });
});
