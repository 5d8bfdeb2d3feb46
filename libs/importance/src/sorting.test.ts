/**
 * The point of sorting: after the permutation, leading slices are good sub-networks. On
 * stories260K with TinyStories calibration, random sub-networks of a joint space lose less
 * validation accuracy when cut from the sorted model than from the original.
 */
import * as fs from 'node:fs';
import { Rng, Runtime } from '@carve/engine';
import { Checkpoint, countParams, LanguageModel, loadLlama2c, loadTokenizer, SubNetwork } from '@carve/model';
import { describeWithAssets, STORIES260K, TINYSTORIES_TRAIN, TINYSTORIES_VALID, TOK512 } from '@carve/test-assets';
import { buildCalibrationSet } from './calibration';
import { importanceOrders } from './orders';
import { permuteModel } from './permute';
import { scoreImportance } from './scoring';

const SUBNETWORKS = 50;
const SEQ = 256;
const WINDOWS = 16; // validation windows of 256 tokens per sub-network

/** A joint space: one embedding width, head count, head size, MLP width and depth for all layers. */
function jointChoice(rng: Rng): { embedDim: number; heads: number; headSize: number; mlpHidden: number; depth: number } {
  const pick = <T>(xs: readonly T[]) => xs[rng.int(xs.length)];
  return { embedDim: pick([32, 40, 48, 56, 64]), heads: pick([4, 8]), headSize: pick([6, 8]), mlpHidden: pick([64, 96, 128, 172]), depth: pick([3, 4, 5]) };
}

function subNetwork(choice: ReturnType<typeof jointChoice>, layers: number[]): SubNetwork {
  return { embedDim: choice.embedDim, headSize: choice.headSize, layers: layers.map((index) => ({ index, heads: choice.heads, mlpHidden: choice.mlpHidden })) };
}

async function validationLoss(model: Checkpoint, s: SubNetwork, ids: number[], runtime: Runtime): Promise<number> {
  const lm = await LanguageModel.create(model, { subNetwork: s, runtime });
  const { loss } = await lm.loss(ids, SEQ, 8);
  await lm.dispose();
  return loss;
}

describeWithAssets('importance sorting of stories260K', () => {
  test(`over ${SUBNETWORKS} random sub-networks, most lose less validation accuracy after sorting, and the median improves`, async () => {
    const model = loadLlama2c(STORIES260K);
    const tokenizer = loadTokenizer(TOK512);
    const calibration = buildCalibrationSet(tokenizer, [TINYSTORIES_TRAIN], { seqLen: SEQ, samples: 64, seed: 0 });
    const runtime = new Runtime({ intraOpThreads: 2 });
    const scores = await scoreImportance(model, calibration, { runtime });
    const orders = importanceOrders(model.config, scores);
    const sorted = permuteModel(model, orders).model;
    const ids = tokenizer.encode(fs.readFileSync(TINYSTORIES_VALID, 'utf8'), { bos: true }).slice(0, WINDOWS * SEQ + 1);

    const rng = new Rng(2024);
    const rows: { params: number; before: number; after: number; choice: string }[] = [];
    for (let i = 0; i < SUBNETWORKS; i++) {
      const c = jointChoice(rng);
      // Depth d keeps the first d layers of the original, and the d most important (in model order) of the sorted one.
      const before = subNetwork(c, Array.from({ length: c.depth }, (_, l) => l));
      const after = subNetwork(c, [...orders.layers.slice(0, c.depth)].sort((a, b) => a - b));
      rows.push({
        params: countParams(model.config, before),
        before: await validationLoss(model, before, ids, runtime),
        after: await validationLoss(sorted, after, ids, runtime),
        choice: `E${c.embedDim} H${c.heads} hs${c.headSize} M${c.mlpHidden} L${c.depth}`,
      });
    }
    await runtime.dispose();

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const improved = rows.filter((r) => r.after < r.before).length;
    const table = rows.map((r) => `${r.choice.padEnd(24)} ${String(r.params).padStart(7)}  ${r.before.toFixed(3)}  ${r.after.toFixed(3)}`).join('\n');
    console.log(
      `layer order ${orders.layers.join(' ')}; ${improved} of ${SUBNETWORKS} improved; median loss ${median(rows.map((r) => r.before)).toFixed(3)} -> ${median(rows.map((r) => r.after)).toFixed(3)}\n` +
        `sub-network              params  before  after\n${table}`,
    );
    expect(improved).toBeGreaterThan(SUBNETWORKS / 2);
    expect(median(rows.map((r) => r.after))).toBeLessThan(median(rows.map((r) => r.before)));
  });
});
