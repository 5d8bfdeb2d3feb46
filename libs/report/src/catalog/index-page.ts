/**
 * @module catalog/index-page
 * The catalog's index page: every run in a table, and their fronts overlaid.
 */
import { arrow, formatValue } from '../format';
import { escapeHtml, note, orDash, page, relativeHrefOf, section, slug } from '../html';
import { IndexRun } from './data';
import { overlayPlots, runColour } from './overlay';

/**
 * One HTML document comparing runs: a table linking each run to `runs/<id>/report.html`
 * with its status, model, creation date, objectives, front size and hypervolume, and one
 * overlay plot of the fronts of the runs that share their first two objectives.
 */
export function renderCatalogIndex(runs: readonly IndexRun[]): string {
  const body = runs.length ? table(runs) : note('no runs in the catalog yet');
  return page('carve catalog', [
    `<header><h1>carve catalog</h1><p class="subtitle">${runs.length} run${runs.length === 1 ? '' : 's'}</p></header>`,
    section('section-runs', 'Runs', body),
    section('section-fronts', 'Pareto fronts', runs.length ? overlayPlots(runs) : note('no runs to compare')),
  ].join('\n'));
}

function table(runs: readonly IndexRun[]): string {
  const head = '<tr><th>run</th><th>status</th><th>model</th><th>created</th><th>objectives</th><th class="num">front</th><th class="num">hypervolume</th></tr>';
  const rows = runs.map((r, i) => {
    const href = relativeHrefOf(['runs', r.id, 'report.html']);
    const swatch = `<svg width="10" height="10" aria-hidden="true"><circle cx="5" cy="5" r="5" fill="${runColour(i)}"/></svg>`;
    const objectives = (r.objectives ?? []).map((o) => `${o.name} ${arrow(o.direction)}`).join(', ');
    return (
      `<tr data-run="${escapeHtml(r.id)}"><td>${swatch} <a href="${escapeHtml(href)}">${escapeHtml(r.id)}</a></td>` +
      `<td><span class="status status-${slug(String(r.status ?? 'unknown'))}">${orDash(r.status)}</span></td>` +
      `<td>${orDash(r.model)}</td><td>${orDash(r.created)}</td><td>${orDash(objectives)}</td>` +
      `<td class="num">${(r.front ?? []).length}</td><td class="num">${r.hypervolume === undefined ? '—' : escapeHtml(formatValue(r.hypervolume))}</td></tr>`
    );
  });
  return `<div class="wide"><table class="runs">${head}${rows.join('')}</table></div>`;
}
