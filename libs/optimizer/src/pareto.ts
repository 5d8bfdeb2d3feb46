/**
 * @module pareto
 * Pareto dominance, non-dominated sorting (Deb's fast sort) and crowding distance, for any
 * number of objectives. Points are vectors to MINIMIZE: negate an objective to maximize it.
 */

/** a dominates b: no worse in every objective and better in one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) better = true;
  }
  return better;
}

/**
 * Fronts of `points` by index: front 0 is non-dominated, front 1 is non-dominated once
 * front 0 is removed, and so on (NSGA-II's fast non-dominated sort, O(M·N²)).
 */
export function nonDominatedSort(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const dominatedBy = Array.from({ length: n }, () => [] as number[]);
  const count = new Array<number>(n).fill(0);
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      if (dominates(points[p], points[q])) {
        dominatedBy[p].push(q);
        count[q]++;
      } else if (dominates(points[q], points[p])) {
        dominatedBy[q].push(p);
        count[p]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current = points.map((_, i) => i).filter((i) => count[i] === 0);
  while (current.length) {
    fronts.push(current);
    const next: number[] = [];
    for (const p of current) for (const q of dominatedBy[p]) if (--count[q] === 0) next.push(q);
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/** Indices of the non-dominated points. */
export function paretoFront(points: readonly (readonly number[])[]): number[] {
  return points.length ? nonDominatedSort(points)[0] : [];
}

/**
 * Crowding distance of each point of one front (same order as `front`): the sum over
 * objectives of the normalized gap between its neighbours; the extremes get Infinity.
 */
export function crowdingDistance(points: readonly (readonly number[])[], front: readonly number[]): number[] {
  const distance = new Array<number>(front.length).fill(0);
  if (front.length === 0) return distance;
  const objectives = points[front[0]].length;
  for (let m = 0; m < objectives; m++) {
    const order = front.map((_, i) => i).sort((a, b) => points[front[a]][m] - points[front[b]][m]);
    const lo = points[front[order[0]]][m];
    const hi = points[front[order[order.length - 1]]][m];
    distance[order[0]] = distance[order[order.length - 1]] = Infinity;
    if (hi === lo) continue;
    for (let k = 1; k < order.length - 1; k++) {
      distance[order[k]] += (points[front[order[k + 1]]][m] - points[front[order[k - 1]]][m]) / (hi - lo);
    }
  }
  return distance;
}

/**
 * Deb's constraint domination: a feasible point (violation 0) beats an infeasible one, of
 * two infeasible points the smaller violation wins, and two feasible points compare by
 * Pareto dominance.
 */
export function constrainedDominates(a: readonly number[], violationA: number, b: readonly number[], violationB: number): boolean {
  if (violationA === 0 && violationB === 0) return dominates(a, b);
  return violationA < violationB;
}

/**
 * Fronts under constraint domination: the feasible points in non-dominated fronts first,
 * then the infeasible ones by increasing violation, equal violations sharing a front (their
 * objectives do not matter: a search must first get back inside the constraints).
 */
export function constrainedSort(points: readonly (readonly number[])[], violations: readonly number[]): number[][] {
  if (points.length !== violations.length) throw new Error(`${points.length} points but ${violations.length} violations`);
  const feasible = violations.flatMap((v, i) => (v === 0 ? [i] : []));
  const fronts = nonDominatedSort(feasible.map((i) => points[i])).map((front) => front.map((j) => feasible[j]));
  const infeasible = violations.flatMap((v, i) => (v > 0 ? [i] : [])).sort((a, b) => violations[a] - violations[b] || a - b);
  for (let k = 0; k < infeasible.length; k++) {
    const i = infeasible[k];
    if (k > 0 && violations[infeasible[k - 1]] === violations[i]) fronts[fronts.length - 1].push(i);
    else fronts.push([i]);
  }
  return fronts;
}
