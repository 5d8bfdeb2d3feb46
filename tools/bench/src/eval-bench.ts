/**
 * @module eval-bench
 * `npm run bench:eval`: downstream-task scoring throughput, stories260K on the first HellaSwag
 * validation items (0-shot, four endings each), one scorer per batch size in the same run,
 * so the ratios compare batched scoring with one request per graph run. Every batch size
 * must give the same log-likelihoods (the largest difference is printed).
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildRequests, evaluateTask, ModelScorer, taskPlugins, TaskOrGroup, Task } from '@carve/evaluation';
import { Runtime } from '@carve/engine';
import { LanguageModel, loadLlama2c, loadTokenizer } from '@carve/model';
import { PluginRegistry } from '@carve/registry';
import { haveStories260K, STORIES260K_PATH } from './assets';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { items: { type: 'string', default: '200' }, batches: { type: 'string', default: '1,8,16,32' }, threads: { type: 'string', default: '1' } } });
  if (!haveStories260K()) throw new Error(`the evaluation benchmark needs ${STORIES260K_PATH}`);
  const items = Number(values.items);
  const batches = values.batches.split(',').map(Number);
  const threads = Number(values.threads);
  const assets = path.dirname(path.dirname(STORIES260K_PATH));
  const registry = new PluginRegistry();
  registry.register(taskPlugins);
  const task = registry.create<TaskOrGroup>('task', 'hellaswag', { data: path.join(assets, 'tasks', 'hellaswag_val_full.txt') }, {}) as Task;
  const requests = buildRequests(task, { shots: 0, limit: items }).documents.flatMap((d) => d.requests);
  const tokenizer = loadTokenizer(path.join(assets, 'stories260K', 'tok512.bin'));
  const runtime = new Runtime({ intraOpThreads: threads });
  const lm = await LanguageModel.create(loadLlama2c(STORIES260K_PATH), { runtime });
  const rows: { batch: number; ms: number; perSecond: number }[] = [];
  let reference: number[] | undefined;
  let worst = 0;
  let tokens = 0;
  for (const batch of batches) {
    const scorer = new ModelScorer(lm, tokenizer, { batchSize: batch });
    await scorer.score(requests.slice(0, batch)); // compiles the graph outside the timing
    const t0 = process.hrtime.bigint();
    const scores = await scorer.score(requests);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    rows.push({ batch, ms, perSecond: requests.length / (ms / 1000) });
    tokens = scores.reduce((a, s) => a + s.tokens, 0);
    reference ??= scores.map((s) => s.logLikelihood);
    scores.forEach((s, i) => (worst = Math.max(worst, Math.abs(s.logLikelihood - reference![i]))));
  }
  const metrics = (await evaluateTask(task, new ModelScorer(lm, tokenizer, { batchSize: Math.max(...batches) }), { shots: 0, limit: items })).metrics;
  await lm.dispose();
  await runtime.dispose();
  const base = rows.find((r) => r.batch === 1) ?? rows[0];
  const best = rows.reduce((a, r) => (r.perSecond > a.perSecond ? r : a));
  console.log(`stories260K, HellaSwag validation items 1-${items} 0-shot: ${requests.length} requests (${tokens} ending tokens), ${threads} thread(s)`);
  console.log('batch  ms        requests/s  vs batch ' + base.batch);
  for (const r of rows) console.log(`${String(r.batch).padEnd(6)} ${r.ms.toFixed(0).padEnd(9)} ${r.perSecond.toFixed(1).padEnd(11)} ${(r.perSecond / base.perSecond).toFixed(2)}×`);
  console.log(`acc ${metrics.acc!.value.toFixed(4)}, acc_norm ${metrics.acc_norm!.value.toFixed(4)}; largest log-likelihood difference between batch sizes ${worst.toExponential(2)}`);
  console.log(
    JSON.stringify({
      bench: 'eval',
      model: 'stories260K',
      task: 'hellaswag',
      items,
      requests: requests.length,
      threads,
      ...Object.fromEntries(rows.map((r) => [`requests_per_s_b${r.batch}`, Math.round(r.perSecond * 10) / 10])),
      best_batch: best.batch,
      speedup_vs_b1: Math.round((best.perSecond / base.perSecond) * 100) / 100,
      max_ll_diff: worst,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
