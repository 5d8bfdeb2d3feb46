/**
 * The evaluation on real data: HellaSwag's validation set and TinyStories text, scored by
 * stories260K. The log-likelihoods are checked against a second computation (the model's
 * float64 loss graph over the concatenated context and ending), and the accuracies are
 * printed for docs/evaluation.md.
 */
import * as path from 'node:path';
import { Runtime, Tensor } from '@carve/engine';
import { buildModelGraph, LanguageModel, loadLlama2c, loadTokenizer, weightFeeds } from '@carve/model';
import { PluginRegistry } from '@carve/registry';
import { ASSETS, describeWithAssets, STORIES260K, TINYSTORIES_VALID, TOK512 } from '@carve/test-assets';
import { evaluateTask } from './evaluate';
import { taskPlugins } from './plugins';
import { buildRequests } from './prompts';
import { ModelScorer } from './scorer';
import { MultipleChoiceTask, TaskOrGroup } from './task';
import { HellaswagDocument } from './tasks/hellaswag';

const HELLASWAG = path.join(ASSETS, 'tasks', 'hellaswag_val_full.txt');
const registry = new PluginRegistry();
registry.register(taskPlugins);
const task = (name: string, options: object = {}) => registry.create<TaskOrGroup>('task', name, options, {});

describeWithAssets('HellaSwag validation scored by stories260K', () => {
  const model = loadLlama2c(STORIES260K);
  const tokenizer = loadTokenizer(TOK512);
  let lm: LanguageModel;
  beforeAll(async () => {
    lm = await LanguageModel.create(model);
  });
  afterAll(() => lm.dispose());

  test('all 10,042 items are read, and the first is prompted as lm-eval prompts it', async () => {
    const hellaswag = (await task('hellaswag', { data: HELLASWAG })) as MultipleChoiceTask<HellaswagDocument>;
    const docs = hellaswag.load().evaluation.documents;
    expect(docs).toHaveLength(10042);
    const { documents } = buildRequests(hellaswag, { shots: 0, limit: 1 });
    expect(documents[0].requests.map((r) => r.context)).toEqual(Array(4).fill(docs[0].query));
    expect(documents[0].requests.map((r) => r.continuation)).toEqual(docs[0].endings.map((e) => ` ${e}`));
    // The text layout holds HellaSwag's `ctx` field: lm-eval's capitalize() of ctx_b cannot be
    // redone without the ctx_a/ctx_b boundary, so "he" stays lower case (docs/evaluation.md).
    expect(docs[0].query).toBe('Roof shingle removal: A man is sitting on a roof. he');
    expect(docs[0].endings[3]).toBe('starts pulling up roofing on a roof.');
  });

  test("each ending's log-likelihood equals the float64 loss of context + ending, and the whole minus the context", async () => {
    const hellaswag = (await task('hellaswag', { data: HELLASWAG })) as MultipleChoiceTask<HellaswagDocument>;
    const requests = buildRequests(hellaswag, { shots: 0, limit: 40 }).documents.flatMap((d) => d.requests);
    const scored = await new ModelScorer(lm, tokenizer, { batchSize: 7 }).score(requests);

    // The oracle: the summed cross-entropy of the float64 loss graph, the context's targets ignored.
    const runtime = new Runtime({ optimizationLevel: 'basic' });
    const m = buildModelGraph(model.config, { dtype: 'float64', loss: true, ignoreIndex: -100 });
    m.graph.output({ loss: m.loss! });
    const session = await runtime.compile(m.graph);
    const feeds = weightFeeds(m, model.weights);
    const logLikelihood = async (ids: number[], scoredFrom: number) => {
      const targets = ids.slice(1).map((t, i) => (i + 1 >= scoredFrom ? t : -100));
      const n = targets.filter((t) => t !== -100).length;
      const out = await session.run({ ...feeds, tokens: Tensor.from('int64', [1, ids.length - 1], ids.slice(0, -1)), targets: Tensor.from('int64', [1, ids.length - 1], targets) });
      return -Number(out.loss.data[0]) * n;
    };
    let worst = 0;
    let prefixStable = 0;
    for (const [i, r] of requests.entries()) {
      const whole = tokenizer.encode(r.context + r.continuation, { bos: true });
      const context = tokenizer.encode(r.context, { bos: true });
      const expected = await logLikelihood(whole, context.length);
      worst = Math.max(worst, Math.abs(scored[i].logLikelihood - expected));
      expect(scored[i].tokens).toBe(whole.length - context.length);
      // Where the context's tokens begin the whole's, the ending's log-likelihood is also LL(whole) − LL(context).
      if (context.every((t, j) => whole[j] === t)) {
        prefixStable++;
        const difference = (await logLikelihood(whole, 1)) - (await logLikelihood(context, 1));
        expect(scored[i].logLikelihood).toBeCloseTo(difference, 3);
      }
    }
    await runtime.dispose();
    expect(worst).toBeLessThan(1e-3);
    expect(prefixStable).toBeGreaterThan(requests.length / 2);
  });

  test('acc and acc_norm over the first 1000 items are near chance (25%), as for any model this small', async () => {
    const result = await evaluateTask(await task('hellaswag', { data: HELLASWAG }), new ModelScorer(lm, tokenizer), { shots: 0, limit: 1000 });
    const { acc, acc_norm } = result.metrics;
    console.log(`stories260K hellaswag 0-shot, first 1000: acc ${acc!.value.toFixed(4)} ± ${acc!.stderr.toFixed(4)}, acc_norm ${acc_norm!.value.toFixed(4)} ± ${acc_norm!.stderr.toFixed(4)}`);
    expect(result.documents).toBe(1000);
    for (const m of [acc!, acc_norm!]) {
      expect(Math.abs(m.value - 0.25)).toBeLessThan(5 * m.stderr + 0.03);
      expect(m.stderr).toBeCloseTo(Math.sqrt((m.value * (1 - m.value)) / 999), 6);
    }
  });
});

describeWithAssets('TinyStories tasks scored by stories260K', () => {
  let lm: LanguageModel;
  const tokenizer = loadTokenizer(TOK512);
  beforeAll(async () => {
    lm = await LanguageModel.create(loadLlama2c(STORIES260K));
  });
  afterAll(() => lm.dispose());

  test('text-ending: the real last sentence is chosen clearly more often than chance (25%)', async () => {
    const result = await evaluateTask(await task('text-ending', { data: TINYSTORIES_VALID, documents: 400 }), new ModelScorer(lm, tokenizer));
    const { acc, acc_norm } = result.metrics;
    console.log(`stories260K text-ending (tinystories valid, 400): acc ${acc!.value.toFixed(4)} ± ${acc!.stderr.toFixed(4)}, acc_norm ${acc_norm!.value.toFixed(4)} ± ${acc_norm!.stderr.toFixed(4)}`);
    expect(acc_norm!.value - 0.25).toBeGreaterThan(5 * acc_norm!.stderr);
  });

  test('text-cloze: the last word is produced greedily for a clear share of passages', async () => {
    const result = await evaluateTask(await task('text-cloze', { data: TINYSTORIES_VALID, documents: 400 }), new ModelScorer(lm, tokenizer));
    const { acc, perplexity } = result.metrics;
    console.log(`stories260K text-cloze (tinystories valid, 400): acc ${acc!.value.toFixed(4)} ± ${acc!.stderr.toFixed(4)}, perplexity ${perplexity!.value.toFixed(2)} ± ${perplexity!.stderr.toFixed(2)}`);
    expect(acc!.value).toBeGreaterThan(5 * acc!.stderr);
    expect(acc!.value).toBeGreaterThan(0.1);
  });
});
