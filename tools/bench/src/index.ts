/**
 * @module @carve/bench
 * The benchmark model, shared with the engine demo. The benchmarks themselves are
 * scripts (`engine-bench.ts`, `profile-step.ts`).
 */
export * from './transformer';
