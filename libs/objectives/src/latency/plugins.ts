/**
 * @module latency/plugins
 * Latency as objectives: `latency` measures every sub-network it is asked about;
 * `latency-predicted` measures a sample of the space once, fits a predictor to it and
 * answers from the predictor, keeping a measured twin to re-measure the final front.
 */
import { DEVICES, Rng } from '@carve/engine';
import { Checkpoint, SubNetwork } from '@carve/model';
import { definePlugin, PLUGIN_API_VERSION } from '@carve/registry';
import { SearchSpace } from '@carve/search-space';
import { z } from 'zod';
import { Measurement, Objective, ObjectiveContext, ObjectiveContextError } from '../objective';
import { LatencyReport, LatencySettings, measureLatencies, measureLatency, resolveLatencySettings } from './measure';
import { evaluatePredictor, fitLatencyPredictor, LatencyPredictor, PredictorEvaluation } from './predictor';

const measuredOptions = {
  batch: z.number().int().positive().default(1),
  /** @default min(128, blockSize − 1) */
  seqLen: z.number().int().positive().optional(),
  threads: z.number().int().positive().default(1),
  warmup: z.number().int().nonnegative().default(3),
  repeats: z.number().int().positive().default(20),
  /** min is the steadiest on a shared machine: the run least disturbed by other processes. */
  statistic: z.enum(['p50', 'p90', 'min']).default('p50'),
  phase: z.enum(['prefill', 'decode']).default('prefill'),
  /** Where the exported sub-networks run (a compression run passes its own device). */
  device: z.enum(DEVICES).default('cpu'),
};
const latencyOptions = z.object(measuredOptions);
const predictedOptions = z.object({
  ...measuredOptions,
  trainSize: z.number().int().positive().default(40),
  holdout: z.number().int().positive().default(10),
  /** Passes over the sampled members, one visit each (see measureLatencies). @default repeats: one timed run per visit */
  rounds: z.number().int().positive().optional(),
});

type LatencyOptions = z.output<typeof latencyOptions>;

/** A latency objective that predicts, with the measured objective it was fitted to. */
export interface PredictedLatencyObjective extends Objective {
  /** The same latency, measured: for re-measuring the members a search keeps. */
  readonly measured: Objective;
  /** Measures the training and held-out members and fits, once; later calls share the result. */
  predictor(): Promise<{ predictor: LatencyPredictor; evaluation: PredictorEvaluation }>;
}

function requireModel(name: string, ctx: ObjectiveContext): Checkpoint {
  if (!ctx.model) throw new ObjectiveContextError(`objective '${name}' runs the sub-networks: it needs the model's weights (a checkpoint), not only a config`);
  return ctx.model;
}

/** The measurement settings of the options, checked against the model. */
function settingsOf(model: Checkpoint, o: LatencyOptions, rounds = 1): Required<LatencySettings> {
  return resolveLatencySettings(model, { batch: o.batch, seqLen: o.seqLen, threads: o.threads, warmup: o.warmup, repeats: o.repeats, rounds, device: o.device });
}

/** The objective's value from a report, with both phases' figures, the settings and the device as details. */
function toMeasurement(report: LatencyReport, o: LatencyOptions): Measurement {
  const { prefill, decode, settings, device } = report;
  return {
    value: report[o.phase][o.statistic],
    details: {
      'prefill.p50': prefill.p50,
      'prefill.p90': prefill.p90,
      'prefill.min': prefill.min,
      'decode.p50': decode.p50,
      'decode.p90': decode.p90,
      'decode.min': decode.min,
      threads: settings.threads,
      batch: settings.batch,
      seqLen: settings.seqLen,
      cpu: device.cpu,
      provider: device.executionProvider,
      device: device.description,
    },
  };
}

function measuredObjective(model: Checkpoint, o: LatencyOptions): Objective {
  const settings = settingsOf(model, o);
  return { name: 'latency', direction: 'minimize', evaluate: async (s) => toMeasurement(await measureLatency(model, s, settings), o) };
}

/** `count` distinct members of `space`, drawn with `rng`, for objective `name`. */
function distinctMembers(name: string, space: SearchSpace, count: number, rng: Rng): SubNetwork[] {
  const members = new Map<string, SubNetwork>();
  // sample() is uniform over each dimension's values, not over points: rare members can take
  // many draws, and the cap ends the search in a space that barely holds `count` of them.
  const cap = 1000 * count;
  for (let draws = 0; members.size < count && draws < cap; draws++) {
    const s = space.sample(rng);
    members.set(JSON.stringify(s), s);
  }
  if (members.size < count) throw new ObjectiveContextError(`objective '${name}': ${cap} draws gave only ${members.size} distinct members of the ${space.name} space, fewer than trainSize + holdout = ${count}`);
  return [...members.values()];
}

export const latencyObjective = definePlugin({
  kind: 'objective',
  name: 'latency',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'latency of the exported sub-network in ONNX Runtime (on the CPU unless its device option says otherwise), in ms (minimized)',
  options: latencyOptions,
  create: (o, ctx: ObjectiveContext): Objective => measuredObjective(requireModel('latency', ctx), o),
});

export const predictedLatencyObjective = definePlugin({
  kind: 'objective',
  name: 'latency-predicted',
  version: '1.0.0',
  apiVersion: PLUGIN_API_VERSION,
  description: 'latency predicted from architecture by a model fitted to measured members of the space, in ms (minimized)',
  options: predictedOptions,
  create: (o, ctx: ObjectiveContext): PredictedLatencyObjective => {
    const name = 'latency-predicted';
    const model = requireModel(name, ctx);
    const space = ctx.space;
    if (!space) throw new ObjectiveContextError(`objective '${name}' trains on members of the search space: it needs the space`);
    const needed = o.trainSize + o.holdout;
    if (space.size() < BigInt(needed)) throw new ObjectiveContextError(`objective '${name}': the ${space.name} space has ${space.size()} members, fewer than trainSize + holdout = ${needed}`);
    const settings = settingsOf(model, o, o.rounds ?? o.repeats);
    let fitted: ReturnType<PredictedLatencyObjective['predictor']> | undefined;
    const fit = async () => {
      const members = distinctMembers(name, space, needed, new Rng(ctx.seed ?? 0));
      const reports = await measureLatencies(model, members, settings);
      const samples = members.map((subNetwork, i) => ({ subNetwork, ms: reports[i][o.phase][o.statistic] }));
      const p = fitLatencyPredictor(samples.slice(0, o.trainSize), model.config, { phase: o.phase, batch: settings.batch, seqLen: settings.seqLen });
      return { predictor: p, evaluation: evaluatePredictor(p, samples.slice(o.trainSize)) };
    };
    const predictor = () => {
      if (!fitted) {
        fitted = fit();
        // A failed fit is not kept: the next call tries again.
        fitted.catch(() => (fitted = undefined));
      }
      return fitted;
    };
    return {
      name,
      direction: 'minimize',
      measured: measuredObjective(model, o),
      predictor,
      evaluate: async (s) => {
        const { predictor: p, evaluation } = await predictor();
        return { value: p.predict(s), details: { predicted: 1, mape: evaluation.mape, maxApe: evaluation.maxApe } };
      },
    };
  },
});

export const latencyObjectivePlugins = [latencyObjective, predictedLatencyObjective];
