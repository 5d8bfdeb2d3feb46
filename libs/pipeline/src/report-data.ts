/**
 * @module report-data
 * Gathers what a run's report shows from the files its stages wrote. Every file is
 * optional: a run that stopped early still gets a report of what it has.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { BaselineData, ExportedModel, RunReportData, TaskData, TrialData } from '@carve/report';
import { SubNetwork } from '@carve/model';
import { BaselinesFile } from './steps/baselines';
import { Evaluation, TaskScore } from './steps/evaluate';
import { ModelsIndex } from './steps/export';
import { describeSubNetwork } from './steps/search/report';

/** Where each stage writes, relative to the run folder. */
export const RUN_FILES = {
  spec: 'spec.json',
  grid: 'grid.json',
  metrics: 'train/metrics.jsonl',
  trials: 'trials.json',
  front: 'front.json',
  models: 'models/index.json',
  evaluation: 'evaluation.json',
  baselines: 'baselines.json',
  report: 'report.html',
} as const;

/** A run file's JSON, or undefined when it is absent or unreadable (a run that stopped early). */
export function readJson<T>(folder: string, file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(nodePath.join(folder, file), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

interface TrialRecord {
  index: number;
  params: number;
  objectives: Record<string, number>;
  subNetwork?: SubNetwork;
}

/** The training curves of a trainer's metrics.jsonl. */
function training(folder: string): RunReportData['training'] {
  let text: string;
  try {
    text = fs.readFileSync(nodePath.join(folder, RUN_FILES.metrics), 'utf8');
  } catch {
    return undefined;
  }
  const train: { step: number; loss: number }[] = [];
  const evaluations: { step: number; losses: Record<string, number> }[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const m = JSON.parse(line) as { type: string; step: number; loss?: number; validation?: Record<string, { loss: number }> };
    if (m.type === 'train' && m.loss !== undefined) train.push({ step: m.step, loss: m.loss });
    if (m.type === 'eval' && m.validation) evaluations.push({ step: m.step, losses: Object.fromEntries(Object.entries(m.validation).map(([k, v]) => [k, v.loss])) });
  }
  return { train, eval: evaluations };
}

/** The report data of the run in `folder`. */
export function runReportData(folder: string, run: RunReportData['run']): RunReportData {
  const front = readJson<{ objectives: RunReportData['objectives']; members: { index: number }[] }>(folder, RUN_FILES.front);
  const onFront = new Set(front?.members.map((m) => m.index) ?? []);
  const trials: TrialData[] = (readJson<TrialRecord[]>(folder, RUN_FILES.trials) ?? []).map((t) => ({
    index: t.index,
    params: t.params,
    objectives: t.objectives,
    onFront: onFront.has(t.index),
    subNetwork: t.subNetwork && describeSubNetwork(t.subNetwork),
  }));
  const grid = readJson<{ histogram?: RunReportData['histogram'] }>(folder, RUN_FILES.grid);
  const models = readJson<ModelsIndex>(folder, RUN_FILES.models);
  const evaluation = readJson<Evaluation>(folder, RUN_FILES.evaluation);
  const measured = new Map((evaluation?.models ?? []).map((m) => [m.name, m]));
  const exported = (models?.models ?? []).map((m): ExportedModel => {
    const e = measured.get(m.name);
    const evaluation: Record<string, number> = e ? { loss: e.loss, perplexity: e.perplexity, 'latency prefill p50': e.latency.prefill.p50, 'latency decode p50': e.latency.decode.p50, ...taskColumns(e.tasks) } : {};
    return {
      name: m.name,
      params: m.params,
      objectives: m.objectives ?? {},
      evaluation,
      files: Object.entries(m.files).map(([name, f]) => ({ path: nodePath.posix.join('models', m.name, name), bytes: f.bytes })),
    };
  });
  const tasks = evaluation && taskData(evaluation, models?.source?.params);
  const baselines = baselineData(readJson<BaselinesFile>(folder, RUN_FILES.baselines), evaluation);
  return { run, objectives: front?.objectives ?? [], trials, histogram: grid?.histogram, training: training(folder), exported, ...(tasks?.length ? { tasks } : {}), ...(baselines ? { baselines } : {}) };
}

/** The baselines beside the exported models they were sized after, when the run measured any. */
function baselineData(file: BaselinesFile | undefined, evaluation: Evaluation | undefined): BaselineData | undefined {
  if (!file || !evaluation) return undefined;
  return {
    original: { params: file.original.params, loss: file.original.loss },
    fineTuneSteps: file.fineTune.steps,
    exported: evaluation.models.map((m) => ({ name: m.name, params: m.params, loss: m.loss })),
    models: file.models.map((m) => ({ method: m.method, target: m.target, name: m.name, params: m.params, loss: m.loss })),
  };
}

/** A model's task scores as columns of the exported-models table: the value, and its percentage of the full model's. */
function taskColumns(scores: Record<string, TaskScore> | undefined): Record<string, number> {
  return Object.fromEntries(
    Object.entries(scores ?? {}).flatMap(([task, s]) => [[`${task} ${s.metric}`, s.value], ...(s.ofFull === undefined ? [] : [[`${task} % of full`, 100 * s.ofFull]])]),
  );
}

/**
 * Each task's scores across the evaluated models, tasks and models in evaluation.json's
 * order; `fullParams` is the source model's size, which the full model's scores are of.
 */
function taskData(evaluation: Evaluation, fullParams: number | undefined): TaskData[] {
  const full = evaluation.tasks?.full?.scores ?? {};
  const evaluated = evaluation.models ?? [];
  const names = [...new Set([...Object.keys(full), ...evaluated.flatMap((m) => Object.keys(m.tasks ?? {}))])];
  return names.map((name) => {
    const scored = evaluated.flatMap((m) => (m.tasks?.[name] ? [{ model: m, score: m.tasks[name] }] : []));
    const reference = full[name];
    const first = reference ?? scored[0].score;
    return {
      name,
      metric: first.metric,
      documents: first.documents,
      ...(reference ? { full: { value: reference.value, stderr: reference.stderr, ...(fullParams === undefined ? {} : { params: fullParams }) } } : {}),
      models: scored.map(({ model, score }) => ({ name: model.name, params: model.params, value: score.value, stderr: score.stderr, ...(score.ofFull === undefined ? {} : { ofFull: score.ofFull }) })),
    };
  });
}
