/**
 * @module run-experiment
 * Runs an experiment: for each seed, each arm as a compression run in the experiment's own
 * catalog (named `<arm>-s<seed>`, so a rerun of the same command continues where it
 * stopped and skips what is done), the baselines beside the method arm, then the results
 * folder. An arm that changes only the search starts from a copy of the same seed's method
 * run, so it searches the very super-network the method trained.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { BASELINES_FILE, BaselinesFile, compress, Evaluation, MARKERS, parseRunSpec, RUN_FILES } from '@carve/pipeline';
import { Arm, ExperimentDefinition, ExperimentError, mergeSpec, SpecPatch } from './definition';
import { analyse, ExperimentResults, Reference, ResultPoint } from './results';

export interface ExperimentOptions {
  definition: ExperimentDefinition;
  /** The user's spec document: the model, data and tasks every arm shares. */
  base: SpecPatch;
  quick?: boolean;
  /** @default the definition's */
  seeds?: readonly number[];
  /** Run only these arms (the method's is always run, for the baselines). */
  arms?: readonly string[];
  /** The experiment folder: catalog/ holds the runs. */
  out: string;
  /** Parameter budgets of the comparison, as fractions of the original's. @default 0.25, 0.5, 0.75 */
  budgets?: readonly number[];
  onRun?: (event: { arm: string; seed: number; phase: 'start' | 'done'; stage?: string; seconds?: number }) => void;
}

/** A finished run of one arm and seed. */
export interface ArmRun {
  arm: string;
  seed: number;
  id: string;
  folder: string;
  seconds: number;
}

export const CATALOG = 'catalog';

/** The arms to run: all, or those named (the method's first, always). */
export function chooseArms(definition: ExperimentDefinition, quick: boolean, names?: readonly string[]): Arm[] {
  const all = definition.arms({ quick });
  if (!names) return all;
  const unknown = names.filter((n) => !all.some((a) => a.name === n));
  if (unknown.length) throw new ExperimentError(`experiment '${definition.name}' has no arm ${unknown.map((n) => `'${n}'`).join(', ')} (arms: ${all.map((a) => a.name).join(', ')})`);
  return all.filter((a, i) => i === 0 || names.includes(a.name));
}

/** The spec document of one arm and seed: base, quick changes, the arm's patch, the baselines for the method. */
export function armSpec(o: ExperimentOptions, arm: Arm, seed: number, isMethod: boolean): SpecPatch {
  let doc = mergeSpec(o.base, o.quick ? o.definition.quickPatch : {});
  doc = mergeSpec(doc, arm.patch);
  if (isMethod) doc = mergeSpec(doc, o.definition.baselines({ quick: !!o.quick }));
  return mergeSpec(doc, { seed, name: `${o.definition.name}/${arm.name}/seed ${seed}`, output: { catalog: 'local', root: nodePath.join(o.out, CATALOG) } });
}

/** Runs every arm for every seed (continuing runs already in the catalog) and returns them. */
export async function runArms(o: ExperimentOptions): Promise<ArmRun[]> {
  const arms = chooseArms(o.definition, !!o.quick, o.arms);
  const seeds = o.seeds ?? o.definition.seeds;
  const runs: ArmRun[] = [];
  const runsFolder = nodePath.join(o.out, CATALOG, 'runs');
  for (const seed of seeds) {
    for (const [i, arm] of arms.entries()) {
      const id = `${arm.name}-s${seed}`;
      const spec = parseRunSpec(armSpec(o, arm, seed, i === 0), `experiment '${o.definition.name}', arm '${arm.name}'`);
      if (arm.reuseTraining && !fs.existsSync(nodePath.join(runsFolder, id))) forkRun(nodePath.join(runsFolder, `${arms[0].name}-s${seed}`), nodePath.join(runsFolder, id));
      o.onRun?.({ arm: arm.name, seed, phase: 'start' });
      const t0 = Date.now();
      const result = await compress(spec, { run: id, onStage: (e) => e.phase === 'done' && o.onRun?.({ arm: arm.name, seed, phase: 'start', stage: e.stage, seconds: e.seconds }) });
      const seconds = (Date.now() - t0) / 1000;
      o.onRun?.({ arm: arm.name, seed, phase: 'done', seconds });
      runs.push({ arm: arm.name, seed, id: result.id, folder: result.folder, seconds });
    }
  }
  return runs;
}

/** What a fork keeps of the method's run: everything up to the trained super-network. */
const FORKED = ['data', 'importance', 'grid', 'train'];

/**
 * A copy of a finished run to continue with a changed search: the held-out data, the sorted
 * model, the grid and the trained adapters, with their stage markers (so those stages are
 * skipped); the search and all after it are left out, to be done afresh.
 */
function forkRun(from: string, to: string): void {
  if (!fs.existsSync(nodePath.join(from, 'train', 'adapters.safetensors'))) throw new ExperimentError(`${from}: no trained super-network to search again; the method's run must come first`);
  const temp = `${to}.partial`;
  fs.rmSync(temp, { recursive: true, force: true });
  fs.mkdirSync(nodePath.join(temp, MARKERS), { recursive: true });
  for (const stage of FORKED) {
    const marker = nodePath.join(from, MARKERS, `${stage}.json`);
    if (fs.existsSync(marker)) fs.copyFileSync(marker, nodePath.join(temp, MARKERS, `${stage}.json`));
  }
  for (const item of ['data', 'importance', RUN_FILES.grid, 'train']) {
    if (fs.existsSync(nodePath.join(from, item))) fs.cpSync(nodePath.join(from, item), nodePath.join(temp, item), { recursive: true });
  }
  fs.renameSync(temp, to);
}

/** Every exported model of every run, and every baseline model of the method's runs, as result points. */
export function collectPoints(runs: readonly ArmRun[]): { points: ResultPoint[]; reference: Reference } {
  const points: ResultPoint[] = [];
  let reference: Reference | undefined;
  for (const run of runs) {
    const evaluation = readJson<Evaluation>(run.folder, RUN_FILES.evaluation);
    for (const m of evaluation.models) points.push(point(run.arm, 'arm', run.seed, m));
    const baselinesPath = nodePath.join(run.folder, BASELINES_FILE);
    if (!fs.existsSync(baselinesPath)) continue;
    const baselines = readJson<BaselinesFile>(run.folder, BASELINES_FILE);
    for (const m of baselines.models) points.push(point(m.method, 'baseline', run.seed, m));
    if (!reference) {
      const o = baselines.original;
      reference = { params: o.params, loss: o.loss, latencyMs: o.latency.prefill.p50, tasks: taskScores(o.tasks), hypervolumeReference: [1, Math.log(o.vocabSize)] };
    }
  }
  if (!reference) throw new ExperimentError('no run of the experiment measured the original model (the method arm\'s baselines stage did not run)');
  return { points, reference };
}

type Measured = { name: string; params: number; loss: number; latency: { prefill: { p50: number } }; tasks?: Record<string, { metric: string; value: number; stderr: number }> };

function point(method: string, kind: ResultPoint['kind'], seed: number, m: Measured): ResultPoint {
  return { method, kind, seed, name: m.name, params: m.params, latencyMs: m.latency.prefill.p50, loss: m.loss, tasks: taskScores(m.tasks) };
}

const taskScores = (tasks: Measured['tasks']): ResultPoint['tasks'] =>
  Object.fromEntries(Object.entries(tasks ?? {}).map(([name, t]) => [name, { metric: t.metric, value: t.value, stderr: t.stderr }]));

function readJson<T>(folder: string, file: string): T {
  const path = nodePath.join(folder, file);
  try {
    return JSON.parse(fs.readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new ExperimentError(`${path}: cannot read the run's results (${(e as Error).message})`);
  }
}

/** Runs the experiment and analyses it. */
export async function runExperiment(o: ExperimentOptions): Promise<{ runs: ArmRun[]; results: ExperimentResults }> {
  const runs = await runArms(o);
  const { points, reference } = collectPoints(runs);
  return { runs, results: analyse(points, reference, o.budgets ?? [0.25, 0.5, 0.75]) };
}
