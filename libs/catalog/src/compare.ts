/**
 * @module compare
 * Puts the fronts of several runs side by side: each run's members with their objective
 * values, the union of the objective names, and, when every run optimized the same
 * objectives against the same reference point, their hypervolumes on that common basis.
 */
import { FrontFile, FrontObjective } from './front';
import { hypervolume } from '@carve/optimizer';

/** One member of a front: its trial index and its value of each of its run's objectives. */
export interface FrontMember {
  readonly index?: number;
  readonly values: Readonly<Record<string, number>>;
}

/** One run's front as compared. */
export interface ComparedFront {
  readonly id: string;
  readonly objectives: readonly FrontObjective[];
  /** The run's reference point, in its objectives' order; absent when it has none. */
  readonly reference?: readonly number[];
  /** The hypervolume the run recorded against its own reference point. */
  readonly recordedHypervolume?: number;
  readonly members: readonly FrontMember[];
  /** Against the comparison's common `basis`; absent when there is none. */
  readonly hypervolume?: number;
}

/** The fronts of several runs, side by side. */
export interface FrontComparison {
  /** Every objective any run has, in order of first appearance. */
  readonly objectives: readonly string[];
  readonly fronts: readonly ComparedFront[];
  /** The objectives and reference point every run shares, which its `hypervolume` is measured on. */
  readonly basis?: { readonly objectives: readonly FrontObjective[]; readonly reference: readonly number[] };
  /** Why the hypervolumes are not compared, when they are not. */
  readonly incomparable?: string;
}

/** Compares the fronts of the runs `ids` (in that order, each with its `front.json`). */
export function compareFrontFiles(runs: readonly { id: string; front: FrontFile }[]): FrontComparison {
  const objectives = [...new Set(runs.flatMap((r) => r.front.objectives.map((o) => o.name)))];
  const fronts = runs.map(({ id, front }) => ({
    id,
    objectives: front.objectives,
    ...(front.reference ? { reference: front.reference } : {}),
    ...(typeof front.hypervolume === 'number' ? { recordedHypervolume: front.hypervolume } : {}),
    members: front.members.map((m) => ({
      ...(m.index !== undefined ? { index: m.index } : {}),
      values: Object.fromEntries(front.objectives.map((o) => [o.name, m.objectives[o.name]])),
    })),
  }));
  const basis = commonBasis(runs.map((r) => r.front));
  if (typeof basis === 'string') return { objectives, fronts, incomparable: basis };
  // Maximized objectives are negated, so that every objective is minimized as the sweep expects.
  const sign = basis.objectives.map((o) => (o.direction === 'maximize' ? -1 : 1));
  const reference = basis.reference.map((r, i) => r * sign[i]);
  return {
    objectives,
    basis,
    fronts: fronts.map((f) => ({
      ...f,
      hypervolume: hypervolume(
        f.members.map((m) => basis.objectives.map((o, i) => m.values[o.name] * sign[i])),
        reference,
      ),
    })),
  };
}

/** The objectives and reference point all fronts share (in the first front's order), or why there are none. */
function commonBasis(fronts: readonly FrontFile[]): { objectives: readonly FrontObjective[]; reference: readonly number[] } | string {
  const signature = (f: FrontFile) => f.objectives.map((o) => `${o.name} (${o.direction})`).sort().join(', ');
  const first = fronts[0];
  if (fronts.some((f) => signature(f) !== signature(first))) {
    return `the runs optimized different objectives: ${[...new Set(fronts.map(signature))].map((s) => `[${s}]`).join(' vs ')}`;
  }
  if (first.objectives.length > 3) return `hypervolumes are compared for 1 to 3 objectives; these runs have ${first.objectives.length}`;
  const references = fronts.map((f) => {
    const reference = f.reference;
    return reference ? first.objectives.map((o) => reference[f.objectives.findIndex((p) => p.name === o.name)]) : undefined;
  });
  const shared = references[0];
  if (!shared || references.some((r) => !r || r.some((v, i) => v !== shared[i]))) {
    const shown = references.map((r) => (r ? `(${r.join(', ')})` : 'none'));
    return `the runs have different reference points: ${shown.join(' vs ')} for ${first.objectives.map((o) => o.name).join(', ')}`;
  }
  return { objectives: first.objectives, reference: shared };
}
