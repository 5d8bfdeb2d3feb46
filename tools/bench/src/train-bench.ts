/**
 * @module train-bench
 * `npm run bench:train -- --config NAME --threads N --mode full|lora|sandwich-kd`: training
 * throughput of a Llama-style model against PyTorch's figures on the same machine kind.
 * One configuration and mode per process, so the peak memory is that run's. The last
 * line printed is a JSON summary.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AdamW, Rng, Runtime, Tensor, toHalf } from '@carve/engine';
import { buildCheckpointGraph, countParams, float32Of, HalfValues, initLora, initWeights, loadLlama2c, LoraConfig, ModelConfig, presetConfig, SubNetwork, weightFeeds, WeightValues } from '@carve/model';
import { PlannedNetwork, SuperNetworkStep } from '@carve/trainer';
import { haveStories260K, STORIES260K_PATH } from './assets';
import { round, time } from './timing';

type Mode = 'full' | 'lora' | 'sandwich-kd';

/** Batch shape per configuration, as the PyTorch reference used. */
const BATCH: Record<string, { B: number; T: number }> = {
  stories260K: { B: 8, T: 256 },
  'bench-1M': { B: 8, T: 64 },
  'bench-4M': { B: 8, T: 128 },
  // The shapes of GPT-2 small (124M) and SmolLM2-360M, random weights; 512 tokens a batch keeps the [B·T, vocab] logits near 100 MB.
  gpt2: { B: 2, T: 256 },
  'SmolLM2-360M': { B: 2, T: 256 },
};

/** PyTorch 2.13 CPU eager on this machine kind, tokens/s at [1 thread, 2 threads] (the model issue). */
const PYTORCH: Record<string, Record<Mode | 'forward', [number, number]>> = {
  stories260K: { full: [14900, 26600], lora: [13100, 22600], 'sandwich-kd': [4400, 7600], forward: [48900, 89200] },
  'bench-1M': { full: [8900, 13900], lora: [9500, 14300], 'sandwich-kd': [2500, 4100], forward: [41800, 65200] },
  'bench-4M': { full: [3000, 5700], lora: [3100, 5500], 'sandwich-kd': [1100, 2000], forward: [10500, 21000] },
};

const LORA: LoraConfig = { rank: 8, alpha: 16, dropout: 0, targets: ['q', 'k', 'v', 'o', 'mlp', 'head'] };
const DISTILLATION = { weight: 2, temperature: 1, kind: 'forward-kl' as const };

/** The base weights, rounded to half and kept in 16 bits with `half` (the float32 arrays are then garbage). */
function baseWeights(float32: Map<string, WeightValues>, half: boolean): Map<string, WeightValues> {
  return half ? new Map([...float32].map(([name, w]) => [name, new HalfValues(toHalf(float32Of(w)))])) : float32;
}

/** Three fixed sub-networks for the sandwich: the smallest of a joint space, and two between. */
function sandwichSubNetworks(c: ModelConfig): SubNetwork[] {
  const at = (fraction: number): SubNetwork => {
    const groups = c.nQueryGroups;
    const heads = Math.max(groups, Math.round((c.nHead * fraction) / groups) * groups);
    const depth = Math.max(1, Math.round(c.nLayer * fraction));
    return {
      embedDim: Math.max(8, Math.round((c.nEmbd * fraction) / 8) * 8),
      headSize: c.headSize,
      layers: Array.from({ length: depth }, (_, index) => ({ index, heads, mlpHidden: Math.max(1, Math.round(c.mlpHidden * fraction)) })),
    };
  };
  return [at(0.25), at(0.5), at(0.75)];
}

function batch(rng: Rng, c: ModelConfig, B: number, T: number): { tokens: Tensor; targets: Tensor } {
  const ids = Array.from({ length: B * (T + 1) }, () => rng.int(c.vocabSize));
  const tokens = Tensor.from('int64', [B, T], ids.filter((_, i) => i % (T + 1) !== T));
  const targets = Tensor.from('int64', [B, T], ids.filter((_, i) => i % (T + 1) !== 0));
  return { tokens, targets };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: 'stories260K' },
      threads: { type: 'string', default: '1' },
      mode: { type: 'string', default: 'full' },
      steps: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      // A Python with torch: measure PyTorch on the same shapes instead of quoting figures.
      pytorch: { type: 'string' },
      arena: { type: 'string', default: 'on' },
      // f16: the frozen base weights in 16 bits, cast in the graphs (LoRA and sandwich modes).
      base: { type: 'string', default: 'f32' },
    },
  });
  const name = values.config!;
  const mode = values.mode as Mode;
  const threads = Number(values.threads);
  const steps = Number(values.steps);
  const warmup = Number(values.warmup);
  if (!BATCH[name]) throw new Error(`--config must be one of ${Object.keys(BATCH).join(', ')}, got '${name}'`);
  if (!['full', 'lora', 'sandwich-kd'].includes(mode)) throw new Error(`--mode must be full, lora or sandwich-kd, got '${mode}'`);
  if (!(threads >= 1) || !(steps >= 1) || !(warmup >= 0)) throw new Error('--threads and --steps must be >= 1, --warmup >= 0');

  // stories260K is the real pretrained model when the shared assets are there; its speed does not depend on the values.
  const real = name === 'stories260K' && haveStories260K();
  const config = real ? loadLlama2c(STORIES260K_PATH).config : presetConfig(name);
  const rng = new Rng(1);
  if (values.base !== 'f32' && !(values.base === 'f16' && mode !== 'full')) throw new Error(`--base must be f32, or f16 with a frozen base (lora, sandwich-kd), got '${values.base}' in mode ${mode}`);
  const weights = baseWeights(real ? loadLlama2c(STORIES260K_PATH).weights : initWeights(config, rng), values.base === 'f16');
  const { B, T } = BATCH[name];
  // One session per step in full and LoRA modes: its workers may spin between nodes. The
  // sandwich alternates four sessions, whose spinning workers would slow each other.
  // --arena on (ONNX Runtime's default: an arena and memory patterns), off (neither), or patterns (memory patterns without an arena).
  if (!['on', 'off', 'patterns'].includes(values.arena!)) throw new Error(`--arena must be on, off or patterns, got '${values.arena}'`);
  const memoryArena = values.arena === 'on';
  const memoryPattern = values.arena !== 'off';
  const runtime = new Runtime({ intraOpThreads: threads, allowSpinning: mode !== 'sandwich-kd', memoryArena, memoryPattern });
  const lora = mode === 'full' ? undefined : LORA;
  const adapters = lora ? initLora(config, lora, rng) : new Map<string, Float32Array>();
  const superStep = new SuperNetworkStep({ config, weights, lora: lora && { config: lora, adapters }, trainable: mode === 'full' ? 'all' : 'lora', runtime, seqLen: T });
  const optimizer = new AdamW(Object.fromEntries(superStep.parameters), { lr: 1e-4 });
  // The paper's step: the full network on cross-entropy, then each student on α·CE + β·KD against its logits.
  const plan: PlannedNetwork[] = [
    { ceWeight: 1 },
    ...(mode === 'sandwich-kd' ? sandwichSubNetworks(config).map((subNetwork) => ({ subNetwork, ceWeight: 0.5, distillation: DISTILLATION })) : []),
  ];
  const data = batch(rng, config, B, T);
  const step = async () => {
    const grads = new Map<string, Float32Array>();
    await superStep.accumulate(plan, data, grads, 1 / plan.length);
    optimizer.step(Object.fromEntries(grads));
  };
  const stepMs = (await time(step, warmup, steps)).median;
  await superStep.dispose();
  await runtime.dispose();

  // The forward pass in a runtime of its own, once the training sessions are gone: their
  // spinning workers would otherwise compete with it for the cores.
  const forwardRuntime = new Runtime({ intraOpThreads: threads, allowSpinning: true, memoryArena, memoryPattern });
  const forward = await (async () => {
    const m = buildCheckpointGraph({ config, weights }, { loss: true, seq: T });
    m.graph.output({ loss: m.loss! });
    return { session: await forwardRuntime.compile(m.graph), feeds: weightFeeds(m, weights) };
  })();
  const forwardMs = (await time(() => forward.session.run({ ...forward.feeds, ...data }), warmup, steps)).median;
  await forwardRuntime.dispose();

  const tokens = B * T;
  const tokS = (tokens / stepMs) * 1000;
  const forwardTokS = (tokens / forwardMs) * 1000;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  // The reference: PyTorch measured now on the same shapes (--pytorch), else the model issue's figures.
  const sandwich = mode === 'sandwich-kd' ? sandwichSubNetworks(config) : [];
  const measure = (m: Mode | 'forward') => pytorchReference(values.pytorch!, { config, batch: B, seq: T, threads, mode: m, steps, warmup, subnetworks: sandwich });
  const t = threads >= 2 ? 1 : 0;
  const ref = values.pytorch ? { step: measure(mode), forward: measure('forward') } : PYTORCH[name] && { step: { tok_s: PYTORCH[name][mode][t] }, forward: { tok_s: PYTORCH[name].forward[t] } };
  const vs = (ours: number, theirs?: number) => (theirs ? ` (PyTorch ${Math.round(theirs)}: ${(ours / theirs).toFixed(2)}x)` : '');
  console.log(`${name}${real ? ' (pretrained weights)' : ' (random weights)'}, ${countParams(config)} parameters, mode ${mode}, ${threads} thread(s), B=${B} T=${T}, ${steps} timed steps after ${warmup}`);
  if (mode === 'sandwich-kd') console.log(`sub-networks: ${sandwich.map((s) => `E${s.embedDim}/L${s.layers.length}/H${s.layers[0].heads}/M${s.layers[0].mlpHidden}`).join(', ')}`);
  console.log(`step ${stepMs.toFixed(1)} ms = ${Math.round(tokS)} tok/s${vs(tokS, ref?.step.tok_s)}`);
  console.log(`forward ${forwardMs.toFixed(1)} ms = ${Math.round(forwardTokS)} tok/s${vs(forwardTokS, ref?.forward.tok_s)}`);
  console.log(`peak RSS ${peakMb.toFixed(0)} MB${ref?.step.peak_rss_mb ? ` (PyTorch ${Math.round(ref.step.peak_rss_mb)} MB)` : ''}`);
  console.log(
    JSON.stringify({
      bench: 'train',
      config: name,
      params: countParams(config),
      threads,
      arena: values.arena,
      base: values.base,
      mode,
      batch: B,
      seq: T,
      step_ms: round(stepMs, 2),
      tok_s: Math.round(tokS),
      forward_ms: round(forwardMs, 2),
      forward_tok_s: Math.round(forwardTokS),
      peak_rss_mb: Math.round(peakMb),
      pytorch: values.pytorch ? `measured, torch ${ref!.step.torch}` : ref ? 'the model issue' : 'none',
      pytorch_tok_s: ref && Math.round(ref.step.tok_s),
      pytorch_forward_tok_s: ref && Math.round(ref.forward.tok_s),
      pytorch_peak_rss_mb: ref?.step.peak_rss_mb && Math.round(ref.step.peak_rss_mb),
      ratio: ref && round(tokS / ref.step.tok_s, 2),
      forward_ratio: ref && round(forwardTokS / ref.forward.tok_s, 2),
    }),
  );
}

interface PytorchResult {
  torch?: string;
  tok_s: number;
  peak_rss_mb?: number;
}

/** Runs tools/bench/pytorch/scale_reference.py with `python` on the same request; its one JSON line. */
function pytorchReference(python: string, request: object): PytorchResult {
  const script = path.resolve(__dirname, '../pytorch/scale_reference.py');
  // With OpenMP's default (active) waiting, PyTorch's and OpenBLAS's threads spin against each
  // other on two cores and PyTorch runs 1.6–2x slower; passive waiting is its faster setting here.
  const env = { OMP_WAIT_POLICY: 'PASSIVE', ...process.env };
  const out = execFileSync(python, [script], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 1 << 20, env });
  return JSON.parse(out.trim().split('\n').pop()!) as PytorchResult;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
