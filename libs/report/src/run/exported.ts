/**
 * @module run/exported
 * The exported models: their size, their objective values from the search, their
 * evaluation after export, and links to their files.
 */
import { arrow, formatBytes, formatInteger, formatValue } from '../format';
import { escapeHtml, note, relativeHref } from '../html';
import { ExportedModel, ObjectiveSpec } from './data';

/** A table with one row per exported model, or a note when none was exported. */
export function exportedTable(objectives: readonly ObjectiveSpec[], models: readonly ExportedModel[]): string {
  if (!models.length) return note('no exported models');
  const measured = [...new Set(models.flatMap((m) => Object.keys(m.evaluation ?? {})))];
  // Two header rows keep the columns narrow: the group says where a value comes from.
  const group = (n: number, title: string) => (n ? `<th colspan="${n}" class="group">${title}</th>` : '');
  const names = [...objectives.map((o) => `${o.name} ${arrow(o.direction)}`), ...measured];
  const span = names.length ? ' rowspan="2"' : '';
  const head =
    `<tr><th${span}>model</th><th${span} class="num">params</th>${group(objectives.length, 'search')}${group(measured.length, 'measured after export')}<th${span}>files</th></tr>` +
    (names.length ? `<tr>${names.map((name) => `<th class="num">${escapeHtml(name)}</th>`).join('')}</tr>` : '');
  const cell = (v: number | undefined) => `<td class="num">${v === undefined ? '—' : escapeHtml(formatValue(v))}</td>`;
  const rows = models.map((m) =>
    [
      `<td>${escapeHtml(m.name)}</td><td class="num">${formatInteger(m.params)}</td>`,
      ...objectives.map((o) => cell(m.objectives?.[o.name])),
      ...measured.map((name) => cell(m.evaluation?.[name])),
      `<td>${files(m.files ?? [])}</td>`,
    ].join(''),
  );
  return `<div class="wide"><table class="exported">${head}${rows.map((r) => `<tr>${r}</tr>`).join('')}</table></div>`;
}

function files(list: readonly { path: string; bytes: number }[]): string {
  if (!list.length) return '—';
  const items = list.map((f) => `<li><a href="${escapeHtml(relativeHref(f.path))}">${escapeHtml(f.path)}</a><span>${formatBytes(f.bytes)}</span></li>`);
  return `<ul class="files">${items.join('')}</ul>`;
}
