/**
 * @module optim/adamw
 * AdamW (Loshchilov & Hutter) on float32 parameters held in TypeScript, with bias
 * correction and decoupled weight decay, computed in the same order as PyTorch's
 * `torch.optim.AdamW` so runs are comparable. Under LoRA the trainable tensors are small,
 * so updating them here costs less than copying optimizer state through a session.
 */

export interface AdamWOptions {
  /** @default 1e-3 */
  lr?: number;
  /** @default 0.9 */
  beta1?: number;
  /** @default 0.999 */
  beta2?: number;
  /** @default 1e-8 */
  eps?: number;
  /** Decoupled weight decay. @default 0.01 */
  weightDecay?: number;
  /** Parameters to exempt from weight decay (biases and norms, typically). @default none */
  noDecay?: (name: string) => boolean;
}

/** Optimizer state for checkpoints: the step count and both moments per parameter. */
export interface AdamWState {
  step: number;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

export class AdamW {
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  private t = 0;
  readonly options: Required<Omit<AdamWOptions, 'noDecay'>> & Pick<AdamWOptions, 'noDecay'>;

  /** `params` are updated in place by `step`. */
  constructor(
    readonly params: Readonly<Record<string, Float32Array>>,
    options: AdamWOptions = {},
  ) {
    this.options = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, ...options };
    const { lr, beta1, beta2, eps, weightDecay } = this.options;
    const problems: string[] = [];
    if (!(lr >= 0)) problems.push(`lr must be >= 0, got ${lr}`);
    if (!(beta1 >= 0 && beta1 < 1)) problems.push(`beta1 must be in [0, 1), got ${beta1}`);
    if (!(beta2 >= 0 && beta2 < 1)) problems.push(`beta2 must be in [0, 1), got ${beta2}`);
    if (!(eps > 0)) problems.push(`eps must be > 0, got ${eps}`);
    if (!(weightDecay >= 0)) problems.push(`weightDecay must be >= 0, got ${weightDecay}`);
    if (problems.length) throw new Error(`AdamW: ${problems.join('; ')}`);
    for (const [name, p] of Object.entries(params)) {
      this.m.set(name, new Float32Array(p.length));
      this.v.set(name, new Float32Array(p.length));
    }
  }

  get stepCount(): number {
    return this.t;
  }

  /**
   * One update from `grads` (one per parameter, same sizes). `lr` overrides the
   * configured learning rate for this step (for schedules).
   */
  step(grads: Readonly<Record<string, ArrayLike<number>>>, lr = this.options.lr): void {
    const problems: string[] = [];
    for (const [name, p] of Object.entries(this.params)) {
      const g = grads[name];
      if (!g) problems.push(`no gradient for '${name}'`);
      else if (g.length !== p.length) problems.push(`gradient for '${name}' has ${g.length} elements, the parameter ${p.length}`);
    }
    for (const name of Object.keys(grads)) if (!(name in this.params)) problems.push(`gradient for unknown parameter '${name}'`);
    if (problems.length) throw new Error(`AdamW.step: ${problems.join('; ')}`);

    this.t += 1;
    const { beta1, beta2, eps, weightDecay, noDecay } = this.options;
    const bc1 = 1 - beta1 ** this.t;
    const sqrtBc2 = Math.sqrt(1 - beta2 ** this.t);
    const stepSize = lr / bc1;
    for (const [name, p] of Object.entries(this.params)) {
      const g = grads[name];
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const decay = weightDecay > 0 && !noDecay?.(name) ? 1 - lr * weightDecay : 1;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        p[i] = p[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / sqrtBc2 + eps);
      }
    }
  }

  /** A copy of the optimizer state. */
  getState(): AdamWState {
    const copy = (map: Map<string, Float32Array>) => Object.fromEntries([...map].map(([k, a]) => [k, Float32Array.from(a)]));
    return { step: this.t, m: copy(this.m), v: copy(this.v) };
  }

  /** Restores a state saved by `getState`, checking it matches the parameters. */
  setState(state: AdamWState): void {
    for (const [name, p] of Object.entries(this.params)) {
      const m = state.m[name];
      const v = state.v[name];
      if (!m || !v || m.length !== p.length || v.length !== p.length) {
        throw new Error(`AdamW.setState: the saved state does not match parameter '${name}' (${p.length} elements)`);
      }
      this.m.get(name)!.set(m);
      this.v.get(name)!.set(v);
    }
    this.t = state.step;
  }
}
