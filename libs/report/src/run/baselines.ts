/**
 * @module run/baselines
 * The run's exported models beside the baselines measured at their sizes: held-out loss
 * against parameters for every method, and a table with one row per exported model.
 */
import { formatInteger, formatValue } from '../format';
import { escapeHtml } from '../html';
import { PALETTE } from '../palette';
import { ScatterLayer, scatterPlot } from '../svg/scatter';
import { BaselineData } from './data';

/** The figure (`#baselines-loss`) and the table (`table.baselines`). */
export function baselinesSection(b: BaselineData): string {
  const methods = [...new Set(b.models.map((m) => m.method))];
  const layers: ScatterLayer[] = [
    {
      label: 'exported (the method)', colour: '#d9480f', radius: 5, staircase: true,
      points: b.exported.map((e) => ({ x: e.params, y: e.loss, title: `${e.name}: ${formatInteger(e.params)} params, loss ${formatValue(e.loss)}`, data: { method: 'method', model: e.name } })),
    },
    ...methods.map((method, i) => ({
      label: method, colour: PALETTE[i % PALETTE.length], staircase: true,
      points: b.models.filter((m) => m.method === method && Number.isFinite(m.loss)).map((m) => ({ x: m.params, y: m.loss, title: `${m.name}: ${formatInteger(m.params)} params, loss ${formatValue(m.loss)}`, data: { method, model: m.name } })),
    })),
    { label: 'original', colour: '#222', radius: 6, points: [{ x: b.original.params, y: b.original.loss, title: `the original: loss ${formatValue(b.original.loss)}`, data: { method: 'original', model: 'original' } }] },
  ];
  const svg = scatterPlot({ id: 'baselines-loss', label: 'held-out loss against parameters: exported models and baselines', xTitle: 'parameters', yTitle: 'held-out loss ↓', layers, directions: { x: 'minimize', y: 'minimize' } });
  const rows = b.exported.map((e) => {
    const at = b.models.filter((m) => m.target === e.name);
    const losses = [e.loss, ...methods.map((method) => at.find((m) => m.method === method)?.loss ?? Infinity)];
    const best = Math.min(...losses);
    const cell = (loss: number, params?: number) => {
      if (!Number.isFinite(loss)) return '<td>—</td>';
      const text = `${formatValue(loss)}${params !== undefined && params !== e.params ? ` <small>(${formatInteger(params)})</small>` : ''}`;
      return loss === best ? `<td class="best"><strong>${text}</strong></td>` : `<td>${text}</td>`;
    };
    return `<tr><th>${escapeHtml(e.name)}</th><td>${formatInteger(e.params)}</td>${cell(e.loss)}${methods.map((method) => {
      const m = at.find((x) => x.method === method);
      return cell(m?.loss ?? Infinity, m?.params);
    }).join('')}</tr>`;
  });
  return (
    `<p>Each baseline pruned from the original model to the size of each exported model (methods that cannot keep the shape keep the parameter count: their own count in brackets), ` +
    `fine-tuned with LoRA where its name ends in +ft (${escapeHtml(b.fineTuneSteps)} steps), and measured on the same held-out windows. Lowest loss in bold. The original: ${formatValue(b.original.loss)}.</p>` +
    `<figure>${svg}</figure>` +
    `<table class="baselines"><tr><th>exported</th><th>params</th><th>method</th>${methods.map((m) => `<th>${escapeHtml(m)}</th>`).join('')}</tr>${rows.join('')}</table>`
  );
}
