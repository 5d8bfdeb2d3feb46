/**
 * @module @carve/optimizer
 * Multi-objective search: Pareto dominance, non-dominated sorting, crowding distance and
 * hypervolume (the ask/tell strategies build on these).
 */
export { crowdingDistance, dominates, nonDominatedSort, paretoFront } from './pareto';
export { hypervolume, hypervolumeEstimate } from './hypervolume';
