import { occurrences, svgById } from '../testing/markup';
import { syntheticIndex } from '../testing/synthetic';
import { IndexRun } from './data';
import { renderCatalogIndex } from './index-page';

test('one row per run linking to its report, and one overlay per pair of first two objectives', () => {
  const html = renderCatalogIndex(syntheticIndex());
  expect(occurrences(html, '<tr data-run=')).toBe(3);
  for (const id of ['run-a', 'run-b', 'run-c']) expect(html).toContain(`<a href="runs/${id}/report.html">${id}</a>`);
  const latency = svgById(html, 'overlay-val-loss-vs-latency');
  expect(occurrences(latency, 'data-run="run-a"')).toBe(7);
  expect(occurrences(latency, 'data-run="run-b"')).toBe(5);
  expect(occurrences(latency, 'data-run="run-c"')).toBe(0);
  expect(occurrences(latency, 'class="staircase"')).toBe(2);
  expect(occurrences(svgById(html, 'overlay-val-loss-vs-params'), 'data-run="run-c"')).toBe(4);
  expect(html).toContain('<td class="num">4.566</td>');
  expect(html).toContain('<td class="num">—</td>');
});

test('ids are escaped in text and encoded in links; runs without two objectives are not plotted', () => {
  const odd: IndexRun = { id: 'a/b <x>', model: 'm', status: 'done', created: '', objectives: [{ name: 'loss', direction: 'minimize' }], front: [{ index: 0, objectives: { loss: 1 } }] };
  const html = renderCatalogIndex([odd]);
  expect(html).toContain('<a href="runs/a%2Fb%20%3Cx%3E/report.html">a/b &lt;x&gt;</a>');
  expect(html).toContain('no run has two objectives');
  expect(renderCatalogIndex([])).toContain('no runs in the catalog yet');
});

test('non-finite front members are skipped with a note', () => {
  const [a] = syntheticIndex();
  a.front[0].objectives.latency = Number.NaN;
  const html = renderCatalogIndex([a]);
  expect(occurrences(svgById(html, 'overlay-val-loss-vs-latency'), 'data-run="run-a"')).toBe(6);
  expect(html).toContain('1 member with non-finite values not drawn.');
});
