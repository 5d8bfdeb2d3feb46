import { PluginRegistry } from '@carve/registry';
import * as evaluation from './index';
import { taskPlugins } from './plugins';

test('every built-in task registers, once, as a one-line-described 1.0.0 task plugin exported from the package', () => {
  const registry = new PluginRegistry();
  registry.register(taskPlugins);
  expect(registry.list('task').map((p) => p.name)).toEqual(['arc-challenge', 'arc-easy', 'boolq', 'hellaswag', 'lambada-openai', 'mmlu', 'piqa', 'text-cloze', 'text-ending', 'winogrande']);
  for (const plugin of taskPlugins) {
    expect(plugin).toMatchObject({ kind: 'task', version: '1.0.0' });
    expect(plugin.description).not.toContain('\n');
    expect(Object.values(evaluation)).toContain(plugin);
  }
});
