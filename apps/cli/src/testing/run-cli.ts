/**
 * @module testing/run-cli
 * For the command tests: runs `carve` in-process and captures what it writes.
 */
import { runCli } from '../main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `carve argv…`; `interactive` makes stderr count as a terminal (progress is drawn). */
export async function carve(argv: string[], interactive = false): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive });
  return { code, stdout, stderr };
}
