/**
 * @module optim/schedule
 * Learning-rate schedules as pure functions of the (0-based) step.
 */

export interface WarmupCosineOptions {
  /** Learning rate at the end of warm-up. */
  peakLr: number;
  /** Steps of linear warm-up from peakLr/warmupSteps to peakLr. */
  warmupSteps: number;
  /** Total steps; the cosine decay ends here. */
  totalSteps: number;
  /** Final learning rate. @default 0 */
  minLr?: number;
}

/**
 * Linear warm-up, then cosine decay from `peakLr` to `minLr` at `totalSteps`; constant
 * `minLr` after that.
 */
export function warmupCosine(options: WarmupCosineOptions): (step: number) => number {
  const { peakLr, warmupSteps, totalSteps } = options;
  const minLr = options.minLr ?? 0;
  const problems: string[] = [];
  if (!(peakLr >= 0)) problems.push(`peakLr must be >= 0, got ${peakLr}`);
  if (!(minLr >= 0 && minLr <= peakLr)) problems.push(`minLr must be in [0, peakLr], got ${minLr}`);
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) problems.push(`warmupSteps must be a non-negative integer, got ${warmupSteps}`);
  if (!Number.isInteger(totalSteps) || totalSteps < warmupSteps) problems.push(`totalSteps must be an integer >= warmupSteps, got ${totalSteps}`);
  if (problems.length) throw new Error(`warmupCosine: ${problems.join('; ')}`);
  return (step: number) => {
    if (step < warmupSteps) return (peakLr * (step + 1)) / warmupSteps;
    if (step >= totalSteps) return minLr;
    const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    return minLr + 0.5 * (peakLr - minLr) * (1 + Math.cos(Math.PI * progress));
  };
}
