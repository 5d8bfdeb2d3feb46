/**
 * The three spaces' defaults, sizes (against brute force), layer orders, export rule and
 * error messages.
 */
import { ModelConfig, presetConfig, resolveConfig, SubNetwork } from '@carve/model';
import { explicitSpace, jointSpace, layerwiseSpace, SearchSpace, SpaceValues } from './index';

const stories = presetConfig('stories260K');
const values = (space: SearchSpace) => Object.fromEntries(space.dimensions.map((d) => [d.name, d.values]));

/** Three layers, GQA with two groups: small enough to enumerate every candidate. */
const tiny: ModelConfig = resolveConfig({ name: 'tiny', family: 'llama', vocabSize: 32, nEmbd: 16, nLayer: 3, nHead: 4, nQueryGroups: 2, mlpHidden: 32 });
const tinyMha: ModelConfig = resolveConfig({ name: 'tiny-mha', family: 'gpt2', vocabSize: 32, nEmbd: 12, nLayer: 2, nHead: 4, blockSize: 16 });

/** Every sub-network built from the raw lists, any layer subset and any per-layer values, that the space accepts. */
function bruteForceCount(space: SearchSpace, raw: SpaceValues): number {
  const n = space.config.nLayer;
  const subsets = Array.from({ length: 2 ** n - 1 }, (_, m) => Array.from({ length: n }, (_, i) => i).filter((i) => ((m + 1) >> i) & 1));
  let count = 0;
  for (const embedDim of raw.embedDim)
    for (const headSize of raw.headSize)
      for (const layers of subsets) {
        const perLayer = raw.heads.flatMap((heads) => raw.mlpHidden.map((mlpHidden) => ({ heads, mlpHidden })));
        let choices: { heads: number; mlpHidden: number }[][] = [[]];
        for (let k = 0; k < layers.length; k++) choices = choices.flatMap((cs) => perLayer.map((p) => [...cs, p]));
        for (const cs of choices) {
          const s: SubNetwork = { embedDim, headSize, layers: cs.map((p, k) => ({ index: layers[k], ...p })) };
          if (space.issues(s).length === 0) count++;
        }
      }
  return count;
}

describe('default value lists', () => {
  test('stories260K: widths in steps of 8 from 16, heads by KV group, even head sizes', () => {
    const space = jointSpace(stories);
    expect(values(space)).toEqual({ embedDim: [16, 24, 32, 40, 48, 56, 64], heads: [4, 8], headSize: [2, 4, 6, 8], mlpHidden: [43, 86, 129, 172], depth: [1, 2, 3, 4, 5] });
    expect(space.size()).toBe(1120n);
    expect(space.smallest()).toEqual({ embedDim: 16, headSize: 2, layers: [{ index: 0, heads: 4, mlpHidden: 43 }] });
  });

  test('GPT-2: every head count under MHA; partial RoPE keeps the full head size', () => {
    expect(values(jointSpace(presetConfig('gpt2')))).toMatchObject({ embedDim: [192, 272, 360, 440, 520, 600, 688, 768], heads: Array.from({ length: 12 }, (_, i) => i + 1) });
    expect(values(jointSpace(presetConfig('pythia-14m'))).headSize).toEqual([32]);
  });

  test('options replace value lists; minDepth moves the depth list', () => {
    expect(values(jointSpace(stories, { heads: [8], mlpHidden: [172, 86], minDepth: 3 }))).toMatchObject({ heads: [8], mlpHidden: [86, 172], depth: [3, 4, 5] });
  });

  test('under hf, default widths no head count divides are dropped', () => {
    expect(values(jointSpace(presetConfig('SmolLM2-135M'), { exportRule: 'hf' })).embedDim).toEqual([144, 264, 456, 576]);
  });
});

describe('size', () => {
  test('equals a brute-force count for a small layer-wise space with a layer order', () => {
    const raw = { embedDim: [8, 16], heads: [2, 4], headSize: [2, 4], mlpHidden: [16, 32], depth: [1, 3] };
    const space = explicitSpace(tiny, raw, { layerwise: true, layerOrder: [2, 0, 1] });
    expect(space.size()).toBe(2n * 2n * (4n + 64n));
    expect(bruteForceCount(space, raw)).toBe(Number(space.size()));
  });

  test('equals a brute-force count for small joint spaces, with and without hf', () => {
    const raw = { embedDim: [6, 8, 12], heads: [1, 2, 3, 4], headSize: [3], mlpHidden: [24, 48], depth: [1, 2] };
    for (const exportRule of [undefined, 'hf'] as const) {
      const space = explicitSpace(tinyMha, raw, { exportRule });
      expect(bruteForceCount(space, raw)).toBe(Number(space.size()));
    }
    expect(explicitSpace(tinyMha, raw, { exportRule: 'hf' }).size()).toBe(BigInt(10 * 2 * 2));
  });

  test('is a bigint, exact beyond 2^53', () => {
    expect(layerwiseSpace(presetConfig('gpt2')).size()).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
  });
});

describe('layer order', () => {
  const space = jointSpace(stories, { layerOrder: [4, 2, 0, 1, 3] });

  test('depth d keeps the first d layers of the order, in model order', () => {
    const layers = space.decode([1, 1, 1, 1, 0.5]).layers.map((l) => l.index);
    expect(layers).toEqual([0, 2, 4]);
  });

  test('issues name the layers a depth keeps', () => {
    const s = { embedDim: 64, headSize: 8, layers: [0, 1, 2].map((index) => ({ index, heads: 8, mlpHidden: 172 })) };
    expect(space.issues(s)).toEqual(['layers: depth 3 keeps layers 0, 2, 4 (the first 3 of layerOrder 4, 2, 0, 1, 3), got 0, 1, 2']);
  });

  test('must be a permutation of the layers', () => {
    expect(() => jointSpace(stories, { layerOrder: [0, 1, 1, 3, 7] })).toThrow(
      "joint space for 'stories260K': layerOrder: [0, 1, 1, 3, 7] is not a permutation of the layers 0..4 (not layers: 7; repeated: 1; missing: 2, 4)",
    );
  });
});

describe('issues', () => {
  test('a joint space chooses one value for every layer; values must be listed', () => {
    const s = { embedDim: 60, headSize: 8, layers: [{ index: 0, heads: 8, mlpHidden: 172 }, { index: 1, heads: 4, mlpHidden: 100 }] };
    expect(jointSpace(stories).issues(s)).toEqual([
      'embedDim: 60 is not one of 16, 24, 32, 40, 48, 56, 64',
      'layers[1].heads: 4 differs from layers[0].heads 8; the joint space chooses one value for every layer',
      'layers[1].mlpHidden: 100 is not one of 43, 86, 129, 172',
      'layers[1].mlpHidden: 100 differs from layers[0].mlpHidden 172; the joint space chooses one value for every layer',
    ]);
  });

  test("include the model's own rules", () => {
    const s = { embedDim: 64, headSize: 8, layers: [{ index: 0, heads: 6, mlpHidden: 172 }] };
    expect(layerwiseSpace(stories).issues(s)).toEqual([
      'layers[0].heads (layer 0): 6 heads are not divisible by 4 KV groups; use 4 or 8',
      'layers[0].heads: 6 is not one of 4, 8',
    ]);
  });

  test("export rule 'hf': divisible widths and uniform layers, even in a layer-wise space", () => {
    const space = layerwiseSpace(tinyMha, { exportRule: 'hf' });
    expect(space.dimensions.map((d) => d.scope)).toEqual(['global', 'global', 'global', 'global', 'global']);
    const s = { embedDim: 12, headSize: 3, layers: [{ index: 0, heads: 4, mlpHidden: 48 }, { index: 1, heads: 3, mlpHidden: 48 }] };
    expect(space.issues(s)).toEqual(["layers[1].heads: 3 differs from layers[0].heads 4; export rule 'hf' needs the same value in every layer"]);
    expect(jointSpace(tinyMha, { exportRule: 'hf' }).issues({ ...s, embedDim: 10, layers: [s.layers[0]] })).toEqual([
      'embedDim: 10 is not one of 3, 4, 6, 7, 8, 9, 11, 12',
      "embedDim: 10 is not divisible by layers[0].heads 4 (export rule 'hf')",
    ]);
  });

  test("under hf, smallest and largest pick the allowed pair with the fewest and most parameters", () => {
    const space = explicitSpace(tinyMha, { embedDim: [9, 12], heads: [2, 3, 4], headSize: [3], mlpHidden: [48], depth: [2] }, { exportRule: 'hf' });
    expect([space.smallest().embedDim, space.smallest().layers[0].heads]).toEqual([9, 3]);
    expect([space.largest().embedDim, space.largest().layers[0].heads]).toEqual([12, 4]);
  });
});

describe('errors', () => {
  test('an explicit space lists every bad value in one error', () => {
    const bad = { embedDim: [32, 80], heads: [6, 8], headSize: [3, 8], mlpHidden: [86, 86], depth: [0, 6] };
    expect(() => explicitSpace(stories, bad)).toThrow(
      "explicit space for 'stories260K': embedDim: 80 exceeds the model's 64; heads: 6 is not divisible by 4 KV groups; " +
        'headSize: 3 is odd; RoPE rotates pairs of dimensions; mlpHidden: 86 is listed twice; depth: 0 is not a positive integer; depth: 6 exceeds the model\'s 5 layers',
    );
  });

  test('missing lists, unknown keys and unknown options are reported together', () => {
    const values = { embedDim: [64], heads: [8], headSize: [8], mlpHidden: [172], heds: [4] } as unknown as SpaceValues;
    expect(() => explicitSpace(stories, values, { exportRule: 'onnx' } as never)).toThrow(
      "explicit space for 'stories260K': exportRule: 'onnx' is not a known rule (known: hf); " +
        "values: unknown key 'heds' (known: embedDim, heads, headSize, mlpHidden, depth); depth: missing",
    );
    expect(() => jointSpace(stories, { minDepth: 2, depth: [3], mlp: [1] } as never)).toThrow(
      "joint space for 'stories260K': options: unknown key 'mlp' (known: layerOrder, exportRule, embedDim, heads, headSize, mlpHidden, depth, minDepth); minDepth: give minDepth or depth, not both",
    );
    expect(() => layerwiseSpace(stories, { minDepth: 9 })).toThrow("layerwise space for 'stories260K': minDepth: 9 is not an integer in [1, 5]");
    expect(() => jointSpace(stories, { headSize: [4] })).not.toThrow();
    expect(() => jointSpace(presetConfig('pythia-14m'), { headSize: [16] })).toThrow(
      "joint space for 'pythia-14m': headSize: 16 is not the model's 32; a head cannot shrink when RoPE rotates only part of it (rotaryFraction 0.25)",
    );
  });

  test("under hf, given values no partner can satisfy are errors", () => {
    expect(() => explicitSpace(tinyMha, { embedDim: [5, 8], heads: [3, 4], headSize: [3], mlpHidden: [48], depth: [2] }, { exportRule: 'hf' })).toThrow(
      "explicit space for 'tiny-mha': embedDim: 5 is divisible by none of the heads values 3, 4 (export rule 'hf'); heads: 3 divides none of the embedDim values 5, 8 (export rule 'hf')",
    );
  });
});
