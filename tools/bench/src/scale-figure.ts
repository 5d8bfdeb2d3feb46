/**
 * @module scale-figure
 * `node tools/bench/dist/scale-figure.js RESULTS.jsonl OUT_PREFIX`: the figures of how cost
 * grows with model size, from train-bench's JSON summary lines (one per configuration and
 * mode, with PyTorch's figures): throughput and peak memory against parameters, carve
 * beside PyTorch, both axes in log10. Every line of the file is plotted: give it the runs
 * of the settings to show (one per configuration and mode). Writes OUT_PREFIX-speed.svg and OUT_PREFIX-memory.svg.
 */
import * as fs from 'node:fs';
import { lineChart, LineSeries } from '@carve/report';

interface Summary {
  config: string;
  params: number;
  mode: string;
  tok_s: number;
  forward_tok_s: number;
  peak_rss_mb: number;
  pytorch_tok_s?: number;
  pytorch_forward_tok_s?: number;
  pytorch_peak_rss_mb?: number;
}

const COLOURS = { forward: '#4e79a7', lora: '#59a14f', 'sandwich-kd': '#e15759' } as const;
const TORCH = { forward: '#a0c4e8', lora: '#a8d5a2', 'sandwich-kd': '#f2a9ab' } as const;

function main(): void {
  const [input, prefix] = process.argv.slice(2);
  if (!input || !prefix) throw new Error('usage: scale-figure RESULTS.jsonl OUT_PREFIX');
  const rows = fs
    .readFileSync(input, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Summary)
    .sort((a, b) => a.params - b.params);
  const log = (v: number) => Math.log10(v);
  const series = (key: keyof typeof COLOURS, pick: (r: Summary) => [number | undefined, number | undefined], unit: string): LineSeries[] => {
    // The forward pass is timed in every run; take it from the lora runs.
    const own = rows.filter((r) => r.mode === (key === 'forward' ? 'lora' : key));
    const points = (i: 0 | 1) => own.flatMap((r) => (pick(r)[i] ? [{ x: Number(log(r.params).toFixed(3)), y: Number(log(pick(r)[i]!).toFixed(3)) }] : []));
    return [
      { name: `carve-${key}`, label: `carve ${key} (log10 ${unit})`, colour: COLOURS[key], points: points(0), markers: true },
      { name: `torch-${key}`, label: `PyTorch ${key}`, colour: TORCH[key], points: points(1), markers: true },
    ].filter((s) => s.points.length > 0);
  };
  const speed = lineChart({
    id: 'scale-speed',
    label: 'tokens per second against parameters, carve and PyTorch',
    xTitle: 'log10 parameters',
    yTitle: 'log10 tokens / s (2 threads)',
    xName: 'log10 parameters',
    width: 620,
    series: [
      ...series('forward', (r) => [r.forward_tok_s, r.pytorch_forward_tok_s], 'tok/s'),
      ...series('lora', (r) => [r.tok_s, r.pytorch_tok_s], 'tok/s'),
      ...series('sandwich-kd', (r) => [r.tok_s, r.pytorch_tok_s], 'tok/s'),
    ],
  });
  const memory = lineChart({
    id: 'scale-memory',
    label: 'peak resident memory against parameters, carve and PyTorch',
    xTitle: 'log10 parameters',
    yTitle: 'log10 peak RSS (MB)',
    xName: 'log10 parameters',
    width: 620,
    series: [...series('lora', (r) => [r.peak_rss_mb, r.pytorch_peak_rss_mb], 'MB'), ...series('sandwich-kd', (r) => [r.peak_rss_mb, r.pytorch_peak_rss_mb], 'MB')],
  });
  fs.writeFileSync(`${prefix}-speed.svg`, `${speed}\n`);
  fs.writeFileSync(`${prefix}-memory.svg`, `${memory}\n`);
  console.log(`${prefix}-speed.svg, ${prefix}-memory.svg: ${rows.length} runs`);
}

main();
