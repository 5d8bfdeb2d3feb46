/**
 * @module @carve/fuzz
 * A seeded fuzz harness: valid seed files of every format carve reads, mutated (bytes, text,
 * JSON values, YAML aliases), fed to the library calls and the CLI that read them, each
 * case checked against the user-error contract (see contract.ts).
 */
export { Prng, caseSeed } from './prng';
export { BYTE_MUTATIONS, mutateBytes } from './mutate/bytes';
export { JSON_MUTATIONS, mutateJson, serialize, expandNesting } from './mutate/json';
export { TEXT_MUTATIONS, YAML_MUTATIONS, mutateText } from './mutate/text';
export { errorProblems, describeError, thrownAt } from './contract';
export type { Problem, ViolationKind } from './contract';
export { runTarget, formatViolation, parseFuzzCase, SLOW_SECONDS } from './runner';
export type { FormatReport, RunOptions, Target, Violation } from './runner';
export { writeSeeds, toYaml, llama2cTokenizerBytes } from './seeds';
export type { Seeds } from './seeds';
export { allTargets } from './targets';
export { CLI_CASES, cliProblems, runCarve, runCliSample } from './cli';
export type { CliCase, CliReport, CliRun } from './cli';
