/**
 * @module steps/search/remeasure
 * An estimated objective (a predicted latency) steers the search cheaply; the members it
 * keeps are then measured for real, so the front reports measured figures.
 */
import { SubNetwork } from '@carve/model';
import { measure, Objective } from '@carve/objectives';
import { Trial } from '@carve/optimizer';

/** Called after each member is re-measured: `done` of `total`, and its measured values by objective name. */
export type RemeasureHook = (done: number, total: number, measured: Record<string, number>) => void;

/**
 * Re-measures the front's members on every estimated objective with the objective it
 * estimates: one record per member, or undefined for each when no objective is estimated.
 */
export async function remeasureFront(front: readonly Trial<SubNetwork>[], objectives: readonly Objective[], onMember?: RemeasureHook): Promise<(Record<string, number> | undefined)[]> {
  const estimated = objectives.filter((o) => o.measured);
  if (estimated.length === 0) return front.map(() => undefined);
  const records: Record<string, number>[] = [];
  for (const t of front) {
    const record: Record<string, number> = {};
    for (const o of estimated) record[o.name] = (await measure(o.measured!, t.choice)).value;
    records.push(record);
    onMember?.(records.length, front.length, record);
  }
  return records;
}
