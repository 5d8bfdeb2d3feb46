import { Rng, Runtime, Tensor } from '@carve/engine';
import { resolveConfig } from './config';
import { initWeights, weightFeeds } from './init';
import { dropoutMask, initLora, LoraConfig, loraIssues, loraLinears } from './lora';
import { buildModelGraph } from './model-graph';

const config = resolveConfig({ name: 'tiny', family: 'gpt2', vocabSize: 20, nEmbd: 8, nLayer: 2, nHead: 2, blockSize: 8 });

describe('LoRA', () => {
  test('targets select the linears; every config problem is reported', () => {
    const lora: LoraConfig = { rank: 2, alpha: 4, dropout: 0, targets: ['q', 'mlp'] };
    expect(loraLinears(config, lora).map((l) => l.prefix)).toEqual([
      'layers.0.attn.q',
      'layers.0.mlp.fc',
      'layers.0.mlp.proj',
      'layers.1.attn.q',
      'layers.1.mlp.fc',
      'layers.1.mlp.proj',
    ]);
    expect(loraIssues({ rank: 0, alpha: -1, dropout: 1, targets: ['q', 'attention' as never] })).toEqual([
      'lora.rank must be a positive integer, got 0',
      'lora.alpha must be > 0, got -1',
      'lora.dropout must be in [0, 1), got 1',
      "lora.targets: unknown module 'attention' (known: q, k, v, o, mlp, head)",
    ]);
  });

  test('dropout masks hold 0 and 1/(1-p) in the right proportion, replayable from the generator state', () => {
    const rng = new Rng(1);
    const state = rng.getState();
    const mask = dropoutMask(100, 50, 0.25, rng);
    const zeros = mask.filter((v) => v === 0).length;
    expect(zeros / mask.length).toBeCloseTo(0.25, 1);
    expect(mask.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
    const again = new Rng(0);
    again.setState(state);
    expect(dropoutMask(100, 50, 0.25, again)).toEqual(mask);
  });

  test('in training mode the masks gate the adapters: all-zero masks give the base model, all-one masks no dropout', async () => {
    const lora: LoraConfig = { rank: 2, alpha: 4, dropout: 0.1, targets: ['q', 'v', 'mlp'] };
    const rng = new Rng(3);
    const weights = initWeights(config, rng, 0.3);
    const adapters = initLora(config, lora, rng);
    for (const [name, b] of adapters) if (name.endsWith('lora_b')) b.forEach((_, i) => (b[i] = rng.normal(0, 0.5)));
    const tokens = Tensor.from('int64', [1, 5], [1, 4, 9, 2, 7]);
    const runtime = new Runtime();
    const logits = async (options: { lora?: LoraConfig; training?: boolean }, fill?: number) => {
      const m = buildModelGraph(config, options);
      m.graph.output({ logits: m.logits });
      const masks = Object.fromEntries(
        [...m.dropoutMasks].map(([n, v]) => {
          const width = v.shape[1] as number;
          return [n, Tensor.from('float32', [5, width], new Array<number>(5 * width).fill(fill!))];
        }),
      );
      const out = await (await runtime.compile(m.graph)).run({ tokens, ...weightFeeds(m, weights, adapters), ...masks });
      return { data: Array.from(out.logits.data as Float32Array), masks: m.dropoutMasks.size };
    };
    const base = await logits({});
    const adapted = await logits({ lora });
    const dropped = await logits({ lora, training: true }, 0);
    const kept = await logits({ lora, training: true }, 1);
    await runtime.dispose();
    expect(dropped.masks).toBe(2 * 4); // q, v, fc, proj per layer
    expect(adapted.masks).toBe(0); // no masks outside training
    expect(dropped.data).toEqual(base.data);
    expect(kept.data).toEqual(adapted.data);
    expect(adapted.data).not.toEqual(base.data);
  });
});
