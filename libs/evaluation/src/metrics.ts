/**
 * @module metrics
 * lm-eval's per-document metrics and their aggregation: the mean with the standard error
 * of the mean (sample standard deviation / √n), perplexity over documents, and a group's
 * size-weighted mean with the pooled standard error.
 */
import { MetricName } from './task';

export interface MetricValue {
  value: number;
  stderr: number;
}

/** The index of the largest value, the first on ties (numpy's argmax). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * acc and acc_norm of one multiple-choice document: the prediction is the choice of
 * highest log-likelihood, or of highest log-likelihood per character of the choice (lm-eval
 * divides by Python's `len` of the choice text, without the delimiter).
 */
export function choiceMetrics(logLikelihoods: readonly number[], choices: readonly string[], gold: number): { acc: number; acc_norm: number } {
  const normalized = logLikelihoods.map((ll, i) => ll / [...choices[i]].length);
  return { acc: argmax(logLikelihoods) === gold ? 1 : 0, acc_norm: argmax(normalized) === gold ? 1 : 0 };
}

/** Mean and standard error of the mean (with n − 1), as lm-eval's `mean` and `mean_stderr`. */
export function meanWithStderr(values: readonly number[]): MetricValue {
  const n = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / n;
  if (n < 2) return { value: mean, stderr: NaN };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { value: mean, stderr: Math.sqrt(variance / n) };
}

/**
 * exp(−mean log-likelihood) over documents, as lm-eval's `perplexity`. Its standard error is
 * the delta-method one, perplexity × stderr of the mean log-likelihood (lm-eval bootstraps it).
 */
export function perplexity(logLikelihoods: readonly number[]): MetricValue {
  const { value, stderr } = meanWithStderr(logLikelihoods);
  const ppl = Math.exp(-value);
  return { value: ppl, stderr: ppl * stderr };
}

/**
 * A group's metric from its tasks' (each with `size` documents): the size-weighted mean and
 * the pooled standard error, as lm-eval aggregates MMLU's subjects.
 */
export function pooled(parts: readonly { metric: MetricValue; size: number }[]): MetricValue {
  const total = parts.reduce((a, p) => a + p.size, 0);
  const value = parts.reduce((a, p) => a + p.metric.value * p.size, 0) / total;
  // A one-document part has no stderr (NaN) and no weight in the pooled variance.
  const variance = parts.reduce((a, p) => a + (p.size > 1 ? (p.size - 1) * p.metric.stderr ** 2 * p.size : 0), 0) / (total - parts.length);
  return { value, stderr: Math.sqrt(variance / total) };
}

/** Whether larger values of the metric are better. */
export const higherIsBetter = (metric: MetricName): boolean => metric !== 'perplexity';
