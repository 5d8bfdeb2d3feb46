/**
 * @module io
 * Where a command writes: data to stdout, progress and errors to stderr. Tests pass their
 * own sinks to capture both.
 */

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal, where progress may be redrawn in place with \r. @default false */
  interactive?: boolean;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
};
