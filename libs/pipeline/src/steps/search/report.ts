/**
 * @module steps/search/report
 * How a search's trials are written (JSON records) and its front is shown (a table).
 */
import { SubNetwork } from '@carve/model';
import { Objective, Trial } from '@carve/optimizer';

export interface TrialRecord {
  index: number;
  params: number;
  objectives: Record<string, number>;
  feasible: boolean;
  violation: number;
  details: Record<string, number | string>;
  subNetwork: SubNetwork;
}

/** One trial as written to trials.json and front.json. */
export function trialRecord(t: Trial<SubNetwork>, names: readonly string[]): TrialRecord {
  return {
    index: t.index,
    params: Number(t.details?.params ?? NaN),
    objectives: Object.fromEntries(names.map((name, i) => [name, t.values[i]])),
    feasible: t.feasible,
    violation: t.violation,
    details: t.details ?? {},
    subNetwork: t.choice,
  };
}

/** A sub-network in a few characters: E=64 L=5 h=8 hs=8 M=172 (per-layer values listed when they differ). */
export function describeSubNetwork(s: SubNetwork): string {
  const list = (values: number[]) => (values.every((v) => v === values[0]) ? String(values[0] ?? '-') : values.join('/'));
  return `E=${s.embedDim} L=${s.layers.length} h=${list(s.layers.map((l) => l.heads))} hs=${s.headSize} M=${list(s.layers.map((l) => l.mlpHidden))}`;
}

/** An objective's value for people: integers whole, anything else to 4 significant digits. */
export function formatValue(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

/**
 * The front as an aligned text table: trial, parameters, each objective, the re-measured
 * value of each estimated objective (when `remeasured` has them), the choice.
 */
export function frontTable(front: readonly Trial<SubNetwork>[], objectives: readonly Objective[], remeasured: readonly (Record<string, number> | undefined)[] = []): string {
  const measured = objectives.filter((o) => remeasured.some((r) => r?.[o.name] !== undefined)).map((o) => o.name);
  const header = ['trial', 'params', ...objectives.map((o) => `${o.name} ${o.direction === 'minimize' ? '↓' : '↑'}`), ...measured.map((name) => `${name} (measured)`), 'sub-network'];
  const rows = front.map((t, i) => [
    String(t.index),
    String(t.details?.params ?? ''),
    ...t.values.map(formatValue),
    ...measured.map((name) => formatValue(remeasured[i]![name])),
    describeSubNetwork(t.choice),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padStart(widths[c]))).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
