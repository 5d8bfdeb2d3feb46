import { baselinesSection } from './baselines';
import { BaselineData } from './data';

const data: BaselineData = {
  original: { params: 1000, loss: 1.5 },
  fineTuneSteps: 100,
  exported: [
    { name: 'm0-1k', params: 1000, loss: 1.6 },
    { name: 'm1-500', params: 500, loss: 3 },
  ],
  models: [
    { method: 'flap+ft', target: 'm0-1k', name: 'flap+ft@m0-1k', params: 1000, loss: 1.7 },
    { method: 'flap+ft', target: 'm1-500', name: 'flap+ft@m1-500', params: 480, loss: 2.5 },
    { method: '<depth>', target: 'm1-500', name: '<depth>@m1-500', params: 400, loss: 5 },
  ],
};

test('one row per exported model, the lowest loss in bold, a baseline’s own size where it differs', () => {
  const html = baselinesSection(data);
  const rows = html.split('<tr>').slice(2);
  expect(rows[0]).toContain('<td class="best"><strong>1.6</strong></td>');
  expect(rows[1]).toContain('<td class="best"><strong>2.5 <small>(480)</small></strong></td>');
  // A baseline not measured at a size is a dash; names are escaped.
  expect(rows[0]).toMatch(/<td>—<\/td><\/tr>$/);
  expect(html).toContain('&lt;depth&gt;');
  expect(html).not.toContain('<depth>');
  expect(html).toContain('(100 steps)');
});

test('the figure has every model of every method, and the original', () => {
  const html = baselinesSection(data);
  expect(html.match(/data-method="method"/g)).toHaveLength(2);
  expect(html.match(/data-method="flap\+ft"/g)).toHaveLength(2);
  expect(html.match(/data-method="original"/g)).toHaveLength(1);
  expect(html).toContain('id="baselines-loss"');
});
