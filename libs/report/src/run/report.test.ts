import { occurrences, svgById } from '../testing/markup';
import { syntheticRun } from '../testing/synthetic';
import { RunReportData } from './data';
import { renderRunReport } from './report';

const LATENCY = 'pareto-val-loss-vs-latency';
const PARAMS = 'pareto-val-loss-vs-params';

test('every trial is a point of every Pareto plot, the front marked, and every section is drawn', () => {
  const html = renderRunReport(syntheticRun({ trials: 40, front: 7 }));
  for (const id of [LATENCY, PARAMS]) {
    const svg = svgById(html, id);
    expect(occurrences(svg, 'data-trial="')).toBe(40);
    expect(occurrences(svg, 'data-front="true"')).toBe(7);
    expect(occurrences(svg, '<polyline class="staircase"')).toBe(1);
  }
  expect(occurrences(svgById(html, 'histogram'), '<rect data-bin=')).toBe(21);
  expect(occurrences(svgById(html, 'training-loss'), 'data-series="train"')).toBe(1);
  expect(occurrences(svgById(html, 'validation-loss'), '<circle class="marker"')).toBe(15);
  expect(occurrences(html, '<a href="models/')).toBe(6);
  expect(html).toContain('<title>trial ');
  expect(html).toContain('E=');
  expect(html).not.toMatch(/NaN|Infinity|undefined/);
});

test('the first objective is plotted against every other objective and parameters, once each', () => {
  const data = syntheticRun();
  const three = renderRunReport({ ...data, objectives: [...data.objectives, { name: 'accuracy', direction: 'maximize' }], trials: data.trials.map((t) => ({ ...t, objectives: { ...t.objectives, accuracy: 1 / t.params } })) });
  expect([...three.matchAll(/<svg id="(pareto-[^"]+)"/g)].map((m) => m[1])).toEqual([LATENCY, 'pareto-val-loss-vs-accuracy', PARAMS]);
  expect(three).toContain('accuracy ↑');

  const withParams = renderRunReport({ ...data, objectives: [data.objectives[0], { name: 'params', direction: 'minimize' }], trials: data.trials.map((t) => ({ ...t, objectives: { ...t.objectives, params: t.params } })) });
  expect([...withParams.matchAll(/<svg id="(pareto-[^"]+)"/g)].map((m) => m[1])).toEqual([PARAMS]);

  expect(renderRunReport({ ...data, objectives: [{ name: 'params', direction: 'minimize' }] })).toContain('only one objective (params): nothing to plot it against');
});

test('non-finite values are skipped with a note, and a single value still gets an axis', () => {
  const data = syntheticRun();
  data.trials[0].objectives.latency = Number.NaN;
  data.trials[1].objectives['val-loss'] = Infinity;
  data.histogram!.bins[3].count = Number.NaN;
  data.training!.train[4].loss = Number.NaN;
  const html = renderRunReport(data);
  expect(occurrences(svgById(html, LATENCY), 'data-trial="')).toBe(38);
  expect(occurrences(svgById(html, PARAMS), 'data-trial="')).toBe(39);
  expect(html).toContain('2 trials with a non-finite val-loss or latency not drawn.');
  expect(html).toContain('1 trial with a non-finite val-loss or params not drawn.');
  expect(html).toContain('1 bin with non-finite values not drawn.');
  expect(html).toContain('1 non-finite value not drawn.');
  expect(occurrences(svgById(html, 'histogram'), '<rect data-bin=')).toBe(20);

  const flat = renderRunReport({ ...data, trials: data.trials.map((t) => ({ ...t, params: 1000, objectives: { 'val-loss': 2, latency: 1 } })) });
  expect(occurrences(svgById(flat, LATENCY), 'data-trial="')).toBe(40);
  expect(svgById(flat, LATENCY)).not.toMatch(/NaN|Infinity/);
});

test('empty and missing parts render as notes', () => {
  const empty: RunReportData = { run: { id: 'r', model: 'm', status: 'failed', created: '', timings: {}, spec: undefined }, objectives: [], trials: [], exported: [] };
  const html = renderRunReport(empty);
  for (const text of ['no objectives recorded', 'no sampler histogram recorded', 'no training metrics recorded', 'no exported models', 'no stage timings recorded', 'no spec recorded']) expect(html).toContain(text);
  expect(html).toContain('status-failed');
  expect(renderRunReport({ ...empty, objectives: syntheticRun().objectives })).toContain('no trials recorded');
  expect(renderRunReport({ ...empty, training: { train: [], eval: [{ step: 5, losses: { largest: 2 } }] } })).toContain('train loss per step: no data');
  expect(() => renderRunReport({} as RunReportData)).not.toThrow();

  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(renderRunReport({ ...empty, run: { ...empty.run, spec: cyclic } })).toContain('the spec could not be shown');
});

test('every string from the data is escaped', () => {
  const evil = `<script>alert("x")</script>'&`;
  const data = syntheticRun();
  const html = renderRunReport({
    ...data,
    run: { ...data.run, id: evil, model: evil, status: evil, created: evil, timings: { [evil]: 1 }, spec: { [evil]: evil } },
    objectives: [{ name: evil, direction: 'minimize' }, data.objectives[1]],
    trials: data.trials.map((t) => ({ ...t, objectives: { ...t.objectives, [evil]: 1 }, subNetwork: evil })),
    training: { train: [{ step: 1, loss: 1 }], eval: [{ step: 1, losses: { [evil]: 1 } }] },
    exported: data.exported.map((m) => ({ ...m, name: evil, evaluation: { [evil]: 1 }, files: [{ path: evil, bytes: 1 }] })),
  });
  expect(html).not.toContain('<script');
  expect(html).not.toContain('"x"');
  expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;');
  expect(html).toContain('href="%3Cscript%3Ealert(%22x%22)%3C/script%3E&#39;%26"');
});
