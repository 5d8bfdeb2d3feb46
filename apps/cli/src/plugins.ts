/**
 * @module plugins
 * The registry every command resolves its plugins from (the pipeline's: built-ins, then the
 * packages named with `--plugin`), and the collector for repeatable options.
 */
export { createRegistry } from '@carve/pipeline';

/** Commander's collector for a repeatable option: `--plugin a --plugin b` gives ['a', 'b']. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
