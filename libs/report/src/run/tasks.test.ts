import { formatValue } from '../format';
import { occurrences, svgById } from '../testing/markup';
import { syntheticRun } from '../testing/synthetic';
import { renderRunReport } from './report';

/** The markup of the section, or '' when there is none. */
function tasksSection(html: string): string {
  const start = html.indexOf('<section id="section-tasks">');
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start));
}

test('each task gets a chart of every model with its error bar beside the full model, and a table of scores', () => {
  const data = syntheticRun();
  const section = tasksSection(renderRunReport(data));
  expect(section).toContain('<h2>Downstream tasks</h2>');
  for (const task of data.tasks!) {
    expect(section).toContain(`<h3>${task.name}</h3>`);
    const svg = svgById(section, `task-${task.name}`);
    expect(occurrences(svg, '<circle ')).toBe(3);
    expect(occurrences(svg, '<path class="error-bar"')).toBe(3);
    expect(occurrences(svg, 'stroke-dasharray')).toBe(1);
    expect(svg).toContain('>full model</text>');
    const full = task.full!;
    expect(section).toContain(`<td>full model</td><td class="num">291,776</td><td class="num">${formatValue(full.value)} ± ${Number(full.stderr.toPrecision(2))}</td><td class="num">100%</td>`);
    for (const m of task.models) {
      expect(svg).toContain(`data-model="${m.name}"`);
      expect(section).toContain(`<td class="num">${formatValue(m.value)} ± ${Number(m.stderr.toPrecision(2))}</td><td class="num">${formatValue(100 * m.ofFull!)}%</td>`);
    }
  }
  expect(section).toContain('<td>full model</td><td class="num">291,776</td><td class="num">0.62 ± 0.022</td><td class="num">100%</td>');
  expect(section).toContain('<td>small</td><td class="num">10,816</td><td class="num">0.3875 ± 0.022</td><td class="num">62.5%</td>');
  expect(section).toContain('<td>large</td><td class="num">213,007</td><td class="num">56.03 ± 4.5</td><td class="num">73.71%</td>');
  expect(svgById(section, 'task-text-cloze')).toContain('acc ↑');
  expect(svgById(section, 'task-lambada')).toContain('perplexity ↓');
  expect(section).toContain('perplexity (lower is better) against parameters, on 500 documents.');
  expect(section).toContain('acc (higher is better)');
  expect(section).not.toMatch(/NaN|Infinity|undefined/);
});

test('a run without task scores has no tasks section', () => {
  const data = syntheticRun();
  expect(renderRunReport({ ...data, tasks: undefined })).not.toContain('section-tasks');
  expect(renderRunReport({ ...data, tasks: [] })).not.toContain('Downstream tasks');
});

test('missing full scores, non-finite values and repeated names are noted, not drawn', () => {
  const [task] = syntheticRun().tasks!;
  const models = task.models.map((m, i) => ({ ...m, value: i === 0 ? Number.NaN : m.value, stderr: i === 1 ? Number.NaN : m.stderr, ofFull: undefined }));
  const section = tasksSection(renderRunReport({ ...syntheticRun(), tasks: [{ ...task, full: undefined, models }, { ...task, models: [] }] }));
  const svg = svgById(section, 'task-text-cloze');
  expect(occurrences(svg, '<circle ')).toBe(2);
  expect(occurrences(svg, '<path class="error-bar"')).toBe(1);
  expect(svg).not.toContain('full model');
  expect(section).toContain('No full-model score recorded. 1 model with a non-finite score or size not drawn.');
  expect(section).toContain('text-cloze: no finite scores to plot');
  expect(svgById(section, 'task-text-cloze-2')).toBe('');
  expect(section).not.toMatch(/NaN|undefined/);
});

test('every string of the task data is escaped', () => {
  const evil = `<script>alert("x")</script>'&`;
  const data = syntheticRun();
  const html = renderRunReport({ ...data, tasks: data.tasks!.map((t) => ({ ...t, name: evil, metric: evil, models: t.models.map((m) => ({ ...m, name: evil })) })) });
  const section = tasksSection(html);
  expect(section).not.toContain('<script');
  expect(section).not.toContain('"x"');
  expect(occurrences(section, '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;')).toBeGreaterThan(3 * 3);
  expect(section).toContain('<svg id="task-script-alert-x-script"');
  expect(section).toContain('<svg id="task-script-alert-x-script-2"');
});
