/**
 * @module timing
 * Small helpers shared by the benchmarks: command-line flags, timing with warm-up and
 * medians, and table formatting.
 */

export interface BenchArgs {
  /** Timed runs per case (the median is reported). */
  runs: number;
  /** Untimed runs before timing. */
  warmup: number;
  /** Intra-op thread counts to measure. */
  threads: number[];
  /** Time forward and step in alternating blocks instead of one after the other. */
  interleave: boolean;
}

/** Parses `--runs N`, `--warmup N`, `--threads 1,2` (also as `--flag=value`) and `--interleave`. */
export function parseArgs(argv: readonly string[], defaults: BenchArgs): BenchArgs {
  const args = { ...defaults, threads: [...defaults.threads] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const positiveInt = (s: string): number => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer, got '${s}'`);
      return n;
    };
    switch (flag) {
      case '--runs':
        args.runs = Math.max(1, positiveInt(value()));
        break;
      case '--warmup':
        args.warmup = positiveInt(value());
        break;
      case '--threads':
        args.threads = value()
          .split(',')
          .filter((s) => s.trim() !== '')
          .map((s) => Math.max(1, positiveInt(s.trim())));
        if (args.threads.length === 0) throw new Error('--threads needs at least one thread count');
        break;
      case '--interleave':
        if (inline !== undefined) throw new Error('--interleave takes no value');
        args.interleave = true;
        break;
      case '--help':
      case '-h':
        throw new Error('usage: engine-bench [--runs N] [--warmup N] [--threads 1,2] [--interleave]');
      default:
        throw new Error(`unknown argument '${argv[i]}' (known: --runs N, --warmup N, --threads 1,2, --interleave)`);
    }
  }
  return args;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Timing {
  /** Median milliseconds per run. */
  median: number;
  /** Fastest run, in milliseconds. */
  min: number;
  samples: number[];
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed, one run at a time. */
export async function time(fn: () => Promise<unknown>, warmup: number, runs: number): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { median: median(samples), min: Math.min(...samples), samples };
}

/**
 * Times several functions against each other: after `warmup` untimed runs of each, runs
 * them in turns, `block` timed runs of one (after `settle` untimed ones) before the next,
 * until each has `runs` timed runs. Interleaving spreads a change in machine load over
 * all of them, so their ratios stay meaningful on a busy machine. The settle runs let the
 * previous session's intra-op workers, which spin for a while after a run, go idle.
 */
export async function timeInterleaved(
  fns: readonly (() => Promise<unknown>)[],
  warmup: number,
  runs: number,
  block = 5,
  settle = 2,
): Promise<Timing[]> {
  for (const fn of fns) for (let i = 0; i < warmup; i++) await fn();
  const samples: number[][] = fns.map(() => []);
  while (samples[0].length < runs) {
    for (let f = 0; f < fns.length; f++) {
      for (let i = 0; i < settle; i++) await fns[f]();
      for (let i = 0; i < block && samples[f].length < runs; i++) {
        const start = process.hrtime.bigint();
        await fns[f]();
        samples[f].push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
  }
  return samples.map((s) => ({ median: median(s), min: Math.min(...s), samples: s }));
}

/** Rounds to `digits` significant-ish decimals for the JSON summary. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Formats rows as an aligned text table (first column left-aligned, the rest right-aligned). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
