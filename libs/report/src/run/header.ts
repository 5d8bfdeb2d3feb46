/**
 * @module run/header
 * The report's head: what was run, how it went, how long each stage took, the spec.
 */
import { arrow, formatSeconds } from '../format';
import { escapeHtml, note, orDash, slug } from '../html';
import { RunReportData } from './data';

/** The title, the facts of the run, its timings and its spec. */
export function header(data: RunReportData): string {
  const run: Partial<RunReportData['run']> = data.run ?? {};
  const trials = data.trials ?? [];
  const front = trials.filter((t) => t.onFront).length;
  const objectives = (data.objectives ?? []).map((o) => `${o.name} ${arrow(o.direction)}`).join(', ');
  const facts = [
    ['model', orDash(run.model)],
    ['status', `<span class="status status-${slug(String(run.status ?? 'unknown'))}">${orDash(run.status)}</span>`],
    ['created', orDash(run.created)],
    ['objectives', orDash(objectives)],
    ['trials', `${trials.length} (${front} on the Pareto front)`],
  ];
  return (
    `<header><h1>Run ${orDash(run.id)}</h1><p class="subtitle">carve compression report</p>` +
    `<table class="facts">${facts.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>` +
    `${timings(run.timings ?? {})}${spec(run.spec)}</header>`
  );
}

function timings(t: Record<string, number>): string {
  const stages = Object.entries(t);
  if (!stages.length) return note('no stage timings recorded');
  const total = stages.reduce((sum, [, s]) => sum + (Number.isFinite(s) ? s : 0), 0);
  const rows = stages.map(([stage, s]) => `<tr><td>${escapeHtml(stage)}</td><td class="num">${formatSeconds(s)}</td></tr>`);
  return `<table class="timings"><tr><th>stage</th><th class="num">time</th></tr>${rows.join('')}<tr><th>total</th><th class="num">${formatSeconds(total)}</th></tr></table>`;
}

function spec(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, null, 2);
  } catch (e) {
    // A spec read from JSON always serializes; one built in code may hold a cycle or a BigInt.
    return note(`the spec could not be shown: ${(e as Error).message}`);
  }
  return json === undefined ? note('no spec recorded') : `<details><summary>spec</summary><pre>${escapeHtml(json)}</pre></details>`;
}
