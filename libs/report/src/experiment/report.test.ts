import { experimentFigures, ExperimentReportData, renderExperimentReport } from './report';

const scores = (v: number) => ({ cloze: { metric: 'acc', value: v, stderr: 0.01 } });
const data: ExperimentReportData = {
  name: 'paper',
  description: 'the method against baselines',
  command: 'carve experiment paper spec.yaml --quick',
  model: 'tiny',
  seeds: [0, 1],
  arms: [
    { name: 'method', ablation: 'method', description: 'the defaults' },
    { name: 'no-kd', ablation: 'distillation', description: 'no <distillation>' },
  ],
  results: {
    reference: { params: 1000, loss: 1, latencyMs: 2, tasks: scores(0.5), hypervolumeReference: [1, 5] },
    points: [
      { method: 'method', kind: 'arm', seed: 0, name: 'm1', params: 400, latencyMs: 1, loss: 2, tasks: scores(0.3) },
      { method: 'method', kind: 'arm', seed: 1, name: 'm1', params: 400, latencyMs: 1, loss: 2.2, tasks: scores(0.2) },
      { method: 'no-kd', kind: 'arm', seed: 0, name: 'm1', params: 400, latencyMs: 1, loss: 2.4, tasks: scores(0.2) },
      { method: 'flap', kind: 'baseline', seed: 0, name: 'flap@m1', params: 390, latencyMs: 1, loss: 2.6, tasks: scores(0.1) },
    ],
    methods: [
      { method: 'method', kind: 'arm', seeds: [0, 1], hypervolume: { mean: 1.5, std: 0.1, perSeed: [1.6, 1.4] } },
      { method: 'flap', kind: 'baseline', seeds: [0], hypervolume: { mean: 1.2, std: 0, perSeed: [1.2] } },
    ],
    budgets: [{ fraction: 0.5, params: 500, best: 'method', entries: [{ method: 'method', seeds: 2, loss: { mean: 2.1, std: 0.14 }, tasks: { cloze: 0.25 } }, { method: 'flap', seeds: 1, loss: { mean: 2.6, std: 0 }, tasks: { cloze: 0.1 } }] }],
    dominance: [{ baseline: 'flap', wins: [0.5], losses: [] }],
  },
};

test('the page has its sections; the best method of a budget is bold; text is escaped', () => {
  const html = renderExperimentReport(data);
  for (const id of ['section-budgets', 'section-dominance', 'section-figures', 'section-hypervolume', 'section-arms']) expect(html).toContain(`id="${id}"`);
  expect(html).toContain('<td class="best"><strong>2.1 ± 0.14<br><small>cloze 0.25</small></strong></td>');
  expect(html).toContain('2.6<br><small>cloze 0.1</small> <small>(1 seeds)</small>');
  expect(html).toContain('no &lt;distillation&gt;');
  expect(html).toContain('<tr><th>flap</th><td>50%</td><td>—</td></tr>');
});

test('the figures: the method and the baselines, the ablations apart, and the first task', () => {
  const figures = experimentFigures(data);
  expect(Object.keys(figures)).toEqual(['loss-vs-params', 'loss-vs-latency', 'ablations', 'task-cloze']);
  expect(figures['loss-vs-params']).toContain('data-method="flap"');
  expect(figures['loss-vs-params']).not.toContain('data-method="no-kd"');
  expect(figures.ablations).toContain('data-method="no-kd"');
  expect(figures.ablations).not.toContain('data-method="flap"');
  for (const svg of Object.values(figures)) expect(svg).toContain('data-method="original"');
});
