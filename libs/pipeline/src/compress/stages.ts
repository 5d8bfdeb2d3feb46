/**
 * @module compress/stages
 * The stages of a compression run, in data-flow order: held-out data → importance → the
 * sampler's grid → super-network training → search → export of the front → evaluation of
 * the exported models → report. Each names the part of the spec it reads (a change there
 * redoes it and what follows) and the files it leaves. Every stage that runs graphs runs them
 * on the run's device (runDevice).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { PruningBaseline } from '@carve/baselines';
import { TaskContext, TaskOrGroup } from '@carve/evaluation';
import { buildCalibrationSet } from '@carve/importance';
import { loadCheckpoint, loadTokenizer, SubNetwork, weightMagnitude, writeJsonAtomic, writeTextAtomic } from '@carve/model';
import { renderRunReport } from '@carve/report';
import { parameterHistogram, Sampler, SamplerContext } from '@carve/sampler';
import { RUN_FILES, runReportData } from '../report-data';
import { Stage } from '../stages';
import { BASELINES_FILE, BaselineMethod, runBaselines, subNetworkShare } from '../steps/baselines';
import { Evaluation, evaluateModels } from '../steps/evaluate';
import { exportModels, ModelsIndex, pickFrontMembers } from '../steps/export';
import { DEFAULT_IMPORTANCE_SEQ_LEN, runImportanceStep } from '../steps/importance';
import { applyTrained, FRONT_JSON, runSearchStep, TrialRecord } from '../steps/search';
import { loadModelAndSpace, readTrainRun, resolveTrainDefaults, trainSettingsSchema, trainSuperNetwork, TrainSettings } from '../steps/train';
import { loadRunData } from '../steps/train/data';
import { stream, STREAMS } from '../steps/train/random';
import { GRID_SAMPLERS, plainLabel } from '../steps/train/settings';
import { CompressContext, runDevice } from './context';

const VALIDATION = 'data/validation.txt';
const IMPORTANCE = 'importance';
const TRAIN = 'train';
const ADAPTERS = `${TRAIN}/adapters.safetensors`;

/** A file's identity for an input hash: its path, size and modification time (contents are not read). */
const stamp = (path: string) => {
  const s = fs.statSync(path);
  return { path, bytes: s.size, modified: s.mtimeMs };
};

/** The model the later stages cut: importance-sorted when importance runs. */
function sortedModel(c: Pick<CompressContext, 'spec' | 'folder' | 'checkpoint'>): { checkpoint: string; importance?: string } {
  if (!c.spec.importance.enabled) return { checkpoint: c.checkpoint };
  return { checkpoint: nodePath.join(c.folder, IMPORTANCE, 'model'), importance: nodePath.join(c.folder, IMPORTANCE, 'importance.json') };
}

function modelAndSpace(c: CompressContext) {
  const { checkpoint, importance } = sortedModel(c);
  return loadModelAndSpace({ checkpoint, space: c.spec.space.name, spaceOptions: c.spec.space.options, importance }, c.registry);
}

const data: Stage<CompressContext> = {
  name: 'data',
  after: [],
  version: 1,
  inputs: (c) => ({ validation: c.validation.map(stamp) }),
  outputs: () => [VALIDATION],
  describe: (c) => ({ what: `held-out text: ${c.validation.length} file(s) into ${VALIDATION}`, seconds: 1 }),
  async run(c, folder) {
    fs.mkdirSync(nodePath.join(folder, 'data'), { recursive: true });
    writeTextAtomic(nodePath.join(folder, VALIDATION), `${c.validation.map((f) => fs.readFileSync(f, 'utf8').trim()).join('\n\n')}\n`);
  },
};

const importance: Stage<CompressContext> = {
  name: 'importance',
  after: [],
  version: 1,
  inputs: (c) => ({ model: stamp(c.checkpoint), calibration: c.calibration.map(stamp), importance: c.spec.importance, seed: c.spec.seed }),
  outputs: () => ['importance.json', 'model/config.json', 'model/model.safetensors'].map((f) => `${IMPORTANCE}/${f}`),
  describe: (c) => ({ what: `score heads, neurons, channels and layers on ${c.spec.importance.samples} calibration sequences; write the sorted model`, seconds: 10 }),
  async run(c, folder) {
    const i = c.spec.importance;
    const { provider } = await runDevice(c);
    await runImportanceStep(
      {
        checkpoint: c.checkpoint, tokenizer: c.tokenizer, data: c.calibration, seqLen: i.seqLen, samples: i.samples, statistic: i.statistic, layerScoring: i.layerScoring, scope: 'global', seed: c.spec.seed, batchSize: 8,
        threads: c.spec.training.threads, device: provider,
      },
      nodePath.join(folder, IMPORTANCE),
    );
  },
};

const GRID = 'grid.json';

const grid: Stage<CompressContext> = {
  name: 'grid',
  after: ['importance'],
  version: 1,
  inputs: (c) => ({ space: c.spec.space, sampler: c.spec.sampler, seed: c.spec.seed }),
  outputs: () => [GRID],
  describe: (c) => ({ what: `${c.spec.sampler.name} sampler over the ${c.spec.space.name} space: the grid training draws from (or a sample of what it draws), and its parameter histogram`, seconds: 2 }),
  async run(c, folder) {
    const { model, space } = modelAndSpace(c);
    // The generator and call the training step uses, so a grid sampler gives the very grid training draws from.
    const context: SamplerContext = { space, rng: stream(c.spec.seed, STREAMS.sampler), weightMagnitude: weightMagnitude(model) };
    const sampler = await c.registry.create<Sampler | Promise<Sampler>>('sampler', c.spec.sampler.name, c.spec.sampler.options, context);
    const members: SubNetwork[] = await sampler.sample(GRID_SAMPLERS.includes(c.spec.sampler.name) ? 1 << 16 : 256);
    const { edges, counts } = parameterHistogram(space, members, 21);
    const histogram = { bins: counts.map((count, i) => ({ lo: edges[i], hi: edges[i + 1], count })) };
    writeJsonAtomic(nodePath.join(folder, GRID), { sampler: c.spec.sampler, members, histogram });
  },
};

/** The training stage's settings, from the spec: also what the baselines fine-tune on. */
function trainStageSettings(c: CompressContext): TrainSettings {
  const t = c.spec.training;
  const { checkpoint, importance: order } = sortedModel(c);
  return trainSettingsSchema.parse({
    checkpoint, tokenizer: c.tokenizer, data: c.train, format: c.spec.data.format, separator: c.spec.data.separator,
    strategy: t.strategy.name, strategyOptions: t.strategy.options, sampler: c.spec.sampler.name, samplerOptions: c.spec.sampler.options,
    space: c.spec.space.name, spaceOptions: c.spec.space.options, importance: order,
    full: t.full, loraRank: t.lora.rank, loraAlpha: t.lora.alpha, loraDropout: t.lora.dropout, ...(t.lora.targets ? { loraTargets: t.lora.targets } : {}),
    steps: t.steps, batchSize: t.batchSize, seqLen: t.seqLen, lr: t.lr, validationFraction: c.spec.data.validationFraction,
    evalEvery: Math.max(1, Math.ceil(t.steps / 4)), checkpointEvery: Math.max(1, Math.ceil(t.steps / 10)), seed: c.spec.seed, threads: t.threads,
    memoryBudgetMb: t.memoryBudgetMb,
  });
}

const train: Stage<CompressContext> = {
  name: 'train',
  after: ['importance'],
  version: 1,
  inputs: (c) => ({ train: c.train.map(stamp), training: c.spec.training, sampler: c.spec.sampler, space: c.spec.space, data: c.spec.data, seed: c.spec.seed }),
  outputs: () => [ADAPTERS, `${TRAIN}/run.json`, `${TRAIN}/metrics.jsonl`],
  describe: (c) => ({ what: `train the super-network: ${c.spec.training.steps} steps of ${c.spec.training.strategy.name}, ${c.spec.training.full ? 'every weight' : `LoRA rank ${c.spec.training.lora.rank}`}`, seconds: c.spec.training.steps * 0.2 }),
  async run(c, folder) {
    const settings = trainStageSettings(c);
    const out = nodePath.join(folder, TRAIN);
    // An interrupted training continues from its latest checkpoint; a folder without one starts over.
    const previous = fs.existsSync(out) ? readTrainRun(out) : undefined;
    if (typeof previous === 'string' || (previous && JSON.stringify(previous.run.settings) !== JSON.stringify(settings))) fs.rmSync(out, { recursive: true, force: true });
    const resume = typeof previous === 'object' && JSON.stringify(previous.run.settings) === JSON.stringify(settings) ? previous : undefined;
    await trainSuperNetwork({ settings, registry: c.registry, previous: resume, device: (await runDevice(c)).provider }, out);
  },
};

const search: Stage<CompressContext> = {
  name: 'search',
  after: ['train', 'data'],
  version: 1,
  inputs: (c) => ({ search: c.spec.search, latency: c.spec.latency, seed: c.spec.seed, ...(c.spec.evaluation.dataDir ? { taskData: c.spec.evaluation.dataDir } : {}) }),
  outputs: () => ['trials.json', FRONT_JSON],
  describe: (c) => ({ what: `${c.spec.search.strategy.name} over ${c.spec.search.budget} trials: ${c.spec.search.objectives.map((o) => o.name).join(', ')}`, seconds: c.spec.search.budget * 0.5 }),
  async run(c, folder) {
    const s = c.spec.search;
    const { checkpoint } = sortedModel(c);
    const { model, space } = modelAndSpace(c);
    const { provider } = await runDevice(c);
    // The latency objectives measure as the spec's latency section says and on the run's
    // device, unless they say otherwise. The provider, not 'auto', goes into search.json, so
    // that a search resumed where 'auto' means another device is refused rather than mixing devices' times.
    const latency = { ...Object.fromEntries(Object.entries(c.spec.latency).filter(([, v]) => v !== undefined)), device: provider };
    const objectives = s.objectives.map((o) => ({ name: o.name, options: o.name.startsWith('latency') ? { ...latency, ...o.options } : o.options }));
    await runSearchStep(
      {
        model, trained: nodePath.join(folder, ADAPTERS), validation: { file: nodePath.join(folder, VALIDATION), tokenizer: c.tokenizer }, space, registry: c.registry, tasks: taskContext(c, folder),
        strategy: s.strategy.name, strategyOptions: s.strategy.options, objectives, constraints: s.constraints, budget: s.budget, seed: c.spec.seed, reference: s.reference,
        threads: c.spec.training.threads, device: provider, inputs: { checkpoint, space: c.spec.space },
      },
      folder,
    );
  },
};

/** The trained super-network of the run in `c.folder`: the sorted model with its adapters (or its trained weights). */
export function trainedSuperNetwork(c: Pick<CompressContext, 'spec' | 'folder' | 'checkpoint'>) {
  return applyTrained(loadCheckpoint(sortedModel(c).checkpoint), nodePath.join(c.folder, ADAPTERS));
}

const exportStage: Stage<CompressContext> = {
  name: 'export',
  after: ['search'],
  version: 1,
  inputs: (c) => c.spec.export,
  outputs: () => [RUN_FILES.models],
  describe: (c) => ({ what: `export up to ${c.spec.export.max} members of the front (LoRA merged) as ${c.spec.export.formats.join(', ')}`, seconds: 3 }),
  async run(c, folder) {
    const front = JSON.parse(fs.readFileSync(nodePath.join(folder, FRONT_JSON), 'utf8')) as { members: TrialRecord[] };
    const { model, lora } = trainedSuperNetwork(c);
    const members = pickFrontMembers(front.members.map((m) => ({ subNetwork: m.subNetwork, objectives: m.objectives, params: m.params })), c.spec.export.max);
    await exportModels({ model, lora, tokenizer: c.tokenizer, members, formats: c.spec.export.formats, ggufType: c.spec.export.ggufType }, folder);
  },
};

const evaluate: Stage<CompressContext> = {
  name: 'evaluate',
  after: ['export', 'data'],
  version: 2,
  inputs: (c) => ({ latency: c.spec.latency, evaluation: c.spec.evaluation }),
  outputs: () => [RUN_FILES.evaluation],
  describe: (c) => ({ what: `evaluate each exported model and the full one from their files: held-out loss, perplexity, ${c.spec.evaluation.tasks.map((t) => t.name).join(', ') || 'no tasks'}, parameters, measured latency`, seconds: 5 + 10 * c.spec.evaluation.tasks.length }),
  async run(c, folder) {
    const { validation, seqLen, latency, tasks } = evaluationInputs(c, folder);
    const full = tasks && { checkpoint: c.checkpoint, tokenizer: c.tokenizer };
    await evaluateModels({ models: nodePath.join(folder, 'models'), validation, seqLen, latency, device: (await runDevice(c)).provider, tasks: tasks && { ...tasks, full } }, folder);
  },
};

/** What the evaluate and baselines stages measure every model on: the held-out windows, the latency settings and the tasks. */
function evaluationInputs(c: CompressContext, folder: string) {
  const { config } = loadCheckpoint(c.checkpoint);
  const validation = loadTokenizer(c.tokenizer, { vocabSize: config.vocabSize }).encode(fs.readFileSync(nodePath.join(folder, VALIDATION), 'utf8'), { bos: true });
  const seqLen = Math.min(256, config.blockSize);
  const { batch, threads, warmup, repeats } = c.spec.latency;
  const latency = { batch, threads, warmup, repeats, ...(c.spec.latency.seqLen ? { seqLen: c.spec.latency.seqLen } : {}) };
  const e = c.spec.evaluation;
  const context = taskContext(c, folder);
  const tasks = e.tasks.length
    ? { tasks: e.tasks.map((t) => c.registry.create<TaskOrGroup>('task', t.name, t.options, context)), settings: { limit: e.limit, shots: e.shots }, bos: e.bos, tokenizer: c.tokenizer }
    : undefined;
  return { validation, seqLen, latency, tasks };
}

const baselinesStage: Stage<CompressContext> = {
  name: 'baselines',
  after: ['evaluate', 'grid'],
  version: 1,
  inputs: (c) => ({ baselines: c.spec.baselines, training: c.spec.training, data: c.spec.data, importance: c.spec.importance, latency: c.spec.latency, evaluation: c.spec.evaluation, seed: c.spec.seed }),
  outputs: () => [BASELINES_FILE],
  describe: (c) => {
    const b = c.spec.baselines;
    const names = [...b.methods.map((m) => m.label ?? `${m.name}${m.fineTune ? '+ft' : ''}`), ...(b.subNetworks ? ['subnetwork+ft'] : [])];
    return { what: `baselines at every exported model's size: ${names.join(', ')}`, seconds: c.spec.export.max * names.length * (5 + (b.fineTune.steps ?? c.spec.training.steps) * 0.1) };
  },
  async run(c, folder) {
    const b = c.spec.baselines;
    const t = c.spec.training;
    const original = loadCheckpoint(c.checkpoint);
    const sorted = loadCheckpoint(sortedModel(c).checkpoint);
    const index = JSON.parse(fs.readFileSync(nodePath.join(folder, RUN_FILES.models), 'utf8')) as ModelsIndex;
    const methods: BaselineMethod[] = b.methods.map((m) => ({
      label: m.label ?? `${m.name}${m.fineTune ? '+ft' : ''}`, name: m.name, options: m.options, fineTune: m.fineTune,
      baseline: c.registry.create<PruningBaseline>('baseline', m.name, m.options, {}),
    }));
    const settings = resolveTrainDefaults(trainStageSettings(c), original.config.blockSize);
    const { data } = loadRunData(settings, original.config, plainLabel);
    const tokenizer = loadTokenizer(c.tokenizer, { vocabSize: original.config.vocabSize });
    const calibrationSeqLen = Math.min(c.spec.importance.seqLen ?? DEFAULT_IMPORTANCE_SEQ_LEN, original.config.blockSize);
    const calibration = methods.some((m) => m.baseline.needsCalibration)
      ? buildCalibrationSet(tokenizer, c.calibration, { seqLen: calibrationSeqLen, samples: b.samples ?? c.spec.importance.samples, seed: c.spec.seed })
      : undefined;
    const grid = JSON.parse(fs.readFileSync(nodePath.join(folder, GRID), 'utf8')) as { members: SubNetwork[] };
    const evaluation = evaluationInputs(c, folder);
    const full = (JSON.parse(fs.readFileSync(nodePath.join(folder, RUN_FILES.evaluation), 'utf8')) as Evaluation).tasks?.full?.scores;
    await runBaselines(
      {
        original, sorted, targets: index.models.map((m) => ({ name: m.name, subNetwork: m.subNetwork })), methods, calibration, data,
        subNetworkSteps: b.subNetworks ? subNetworkShare(t.steps, sampledPerStep(c), grid.members.length) : undefined,
        fineTune: { steps: b.fineTune.steps ?? t.steps, batchSize: t.batchSize, seqLen: settings.seqLen, lr: b.fineTune.lr ?? t.lr, seed: c.spec.seed,
          lora: { rank: t.lora.rank, alpha: t.lora.alpha, dropout: t.lora.dropout, targets: settings.loraTargets } },
        evaluation: { ...evaluation, device: (await runDevice(c)).provider, tokenizer: c.tokenizer, fullScores: full },
        threads: t.threads,
      },
      folder,
    );
  },
};

/** Sub-networks the training strategy trains per step, beside the full network: its option n, parsed with its defaults. */
function sampledPerStep(c: CompressContext): number {
  const { name, options } = c.spec.training.strategy;
  if (name === 'standard') return 0;
  const parsed = c.registry.get('training-strategy', name).options.safeParse(options);
  const n = parsed.success ? (parsed.data as { n?: unknown }).n : undefined;
  return typeof n === 'number' ? n : 1;
}

/** Where the run's tasks find data their options do not name: the spec's data folder, and the held-out text for the tasks built from text. */
function taskContext(c: CompressContext, folder: string): TaskContext {
  return { text: nodePath.join(folder, VALIDATION), ...(c.spec.evaluation.dataDir ? { dataDir: c.spec.evaluation.dataDir } : {}) };
}

/** The report needs the run's identity and timings, which only the runner knows. */
export type ReportInfo = Parameters<typeof runReportData>[1];

export function reportStage(info: () => ReportInfo): Stage<CompressContext> {
  return {
    name: 'report',
    after: ['evaluate', 'grid'],
    version: 1,
    inputs: () => ({}),
    outputs: () => [RUN_FILES.report],
    describe: () => ({ what: 'write the self-contained HTML report', seconds: 1 }),
    async run(_c, folder) {
      writeTextAtomic(nodePath.join(folder, RUN_FILES.report), renderRunReport(runReportData(folder, info())));
    },
  };
}

/** The stages a spec runs (importance only when enabled). */
export function compressStages(spec: CompressContext['spec'], info: () => ReportInfo): Stage<CompressContext>[] {
  const withBaselines = spec.baselines.methods.length > 0 || spec.baselines.subNetworks;
  const report = reportStage(info);
  // The report shows the baselines, so it follows them when there are any.
  const all = withBaselines ? [data, importance, grid, train, search, exportStage, evaluate, baselinesStage, { ...report, after: [...report.after, 'baselines'] }] : [data, importance, grid, train, search, exportStage, evaluate, report];
  if (spec.importance.enabled) return all;
  return all.filter((s) => s !== importance).map((s) => ({ ...s, after: s.after.filter((a) => a !== 'importance') }));
}
