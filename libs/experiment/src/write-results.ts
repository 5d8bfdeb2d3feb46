/**
 * @module write-results
 * The results folder of an experiment: results.json (every point, summary and setting),
 * results.md (the tables, for docs and pull requests), figures/*.svg and report.html. Each
 * file is written whole to a temporary name and renamed.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { writeJsonAtomic, writeTextAtomic } from '@carve/model';
import { experimentFigures, ExperimentReportData, renderExperimentReport } from '@carve/report';
import { ExperimentResults } from './results';
import { ArmRun } from './run-experiment';

export const RESULTS_FILES = { json: 'results.json', markdown: 'results.md', report: 'report.html', figures: 'figures' } as const;

export interface ResultsInfo {
  name: string;
  description: string;
  command: string;
  model: string;
  quick: boolean;
  seeds: readonly number[];
  arms: readonly { name: string; ablation: string; description: string }[];
  runs: readonly ArmRun[];
}

const f = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '—');
const pm = (mean: number, std: number) => `${f(mean)}${std > 0 ? ` ± ${f(std)}` : ''}`;
const percent = (x: number) => `${Math.round(x * 100)}%`;

/** The tables as Markdown. */
export function resultsMarkdown(info: ResultsInfo, r: ExperimentResults): string {
  const tasks = Object.keys(r.reference.tasks);
  const methods = [...new Set(r.budgets.flatMap((b) => b.entries.map((e) => e.method)))];
  const lines = [
    `# ${info.name}${info.quick ? ' (quick)' : ''}: ${info.model}`,
    '',
    `${info.description}. Seeds ${info.seeds.join(', ')}. \`${info.command}\``,
    '',
    `The original model: ${r.reference.params.toLocaleString('en-US')} parameters, held-out loss ${f(r.reference.loss)}${tasks.map((t) => `, ${t} ${f(r.reference.tasks[t].value)}`).join('')}.`,
    '',
    '## Best held-out loss within each parameter budget (mean ± std over seeds; **best**)',
    '',
    `| method | ${r.budgets.map((b) => `≤ ${percent(b.fraction)} (${b.params.toLocaleString('en-US')})`).join(' | ')} |`,
    `|---|${r.budgets.map(() => '---:').join('|')}|`,
    ...methods.map((method) => {
      const cells = r.budgets.map((b) => {
        const e = b.entries.find((x) => x.method === method);
        if (!e) return '—';
        const text = `${pm(e.loss.mean, e.loss.std)}${e.seeds < info.seeds.length ? ` (${e.seeds} seeds)` : ''}`;
        return b.best === method ? `**${text}**` : text;
      });
      return `| ${method} | ${cells.join(' | ')} |`;
    }),
  ];
  if (tasks.length) {
    lines.push('', `## Task scores of those models (${tasks.map((t) => `${t} ${r.reference.tasks[t].metric}`).join('; ')})`, '');
    lines.push(`| method | ${r.budgets.map((b) => `≤ ${percent(b.fraction)}`).join(' | ')} |`, `|---|${r.budgets.map(() => '---:').join('|')}|`);
    for (const method of methods) {
      const cells = r.budgets.map((b) => {
        const e = b.entries.find((x) => x.method === method);
        return e ? tasks.map((t) => f(e.tasks[t])).join(' / ') : '—';
      });
      lines.push(`| ${method} | ${cells.join(' | ')} |`);
    }
  }
  lines.push('', '## The method against each baseline', '', '| baseline | method better at | method not better at |', '|---|---|---|');
  for (const d of r.dominance) lines.push(`| ${d.baseline} | ${d.wins.map(percent).join(', ') || '—'} | ${d.losses.map(percent).join(', ') || '—'} |`);
  lines.push('', `## Hypervolume of (parameters / original, loss) from (${r.reference.hypervolumeReference.map((v) => f(v)).join(', ')})`, '', '| method | kind | mean ± std | per seed |', '|---|---|---:|---|');
  for (const m of [...r.methods].sort((a, b) => b.hypervolume.mean - a.hypervolume.mean)) {
    lines.push(`| ${m.method} | ${m.kind} | ${pm(m.hypervolume.mean, m.hypervolume.std)} | ${m.hypervolume.perSeed.map((v) => f(v)).join(', ')} |`);
  }
  lines.push('', '## Arms', '', '| arm | varies | what differs from the method |', '|---|---|---|', ...info.arms.map((a) => `| ${a.name} | ${a.ablation} | ${a.description} |`));
  const total = info.runs.reduce((a, r2) => a + r2.seconds, 0);
  lines.push('', `${info.runs.length} runs, ${Math.round(total / 60)} min in all.`, '');
  return lines.join('\n');
}

/** Writes results.json, results.md, figures/*.svg and report.html into `folder`. */
export function writeResults(folder: string, info: ResultsInfo, results: ExperimentResults): { report: string; markdown: string } {
  fs.mkdirSync(nodePath.join(folder, RESULTS_FILES.figures), { recursive: true });
  writeJsonAtomic(nodePath.join(folder, RESULTS_FILES.json), { ...info, results });
  const markdown = nodePath.join(folder, RESULTS_FILES.markdown);
  writeTextAtomic(markdown, resultsMarkdown(info, results));
  const data: ExperimentReportData = { name: info.name, description: info.description, command: info.command, model: info.model, seeds: info.seeds, arms: info.arms, results };
  for (const [name, svg] of Object.entries(experimentFigures(data))) writeTextAtomic(nodePath.join(folder, RESULTS_FILES.figures, `${name}.svg`), `${svg}\n`);
  const report = nodePath.join(folder, RESULTS_FILES.report);
  writeTextAtomic(report, renderExperimentReport(data));
  return { report, markdown };
}
