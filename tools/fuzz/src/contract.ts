/**
 * @module contract
 * What every case must satisfy: the call succeeds, or it throws a UserError whose message
 * is one non-empty line naming the file (the CLI prints it as `carve: <message>` and exits
 * with 2). Anything else (a TypeError, a RangeError from a stack overflow, a multi-line
 * message) is a violation.
 */
import { isUserError } from '@carve/errors';

export type ViolationKind = 'not-a-user-error' | 'empty-message' | 'multi-line-message' | 'unnamed-file' | 'slow' | 'partial-output';

export interface Problem {
  kind: ViolationKind;
  detail: string;
}

/** Whether `e` looks like an Error; `instanceof` fails for errors of another realm (Node's fs under jest). */
const isErrorLike = (e: unknown): e is Error => typeof e === 'object' && e !== null && typeof (e as Error).message === 'string';

/** `Name: message`, shortened, for reports. */
export function describeError(e: unknown): string {
  const text = isErrorLike(e) ? `${e.name}: ${e.message}` : `thrown ${typeof e}: ${String(e)}`;
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

/** The first stack frame inside the repository's libs or apps: where a non-user error was thrown. */
export function thrownAt(e: unknown): string | undefined {
  const stack = isErrorLike(e) ? (e.stack ?? '') : '';
  const frame = stack.split('\n').find((l) => /[\\/](libs|apps)[\\/]/.test(l) && !l.includes('node_modules'));
  const m = frame && /((libs|apps)[\\/][^:)]+:\d+)/.exec(frame);
  return m ? m[1] : undefined;
}

/**
 * The contract's problems with error `e` (none for a proper user error). `names` lists
 * strings of which the message should contain one (the case's file or folder); empty skips that check.
 */
export function errorProblems(e: unknown, names: readonly string[]): Problem[] {
  if (!isUserError(e)) return [{ kind: 'not-a-user-error', detail: `${describeError(e)}${thrownAt(e) ? ` (at ${thrownAt(e)})` : ''}` }];
  const message = e.message;
  if (message.trim() === '') return [{ kind: 'empty-message', detail: describeError(e) }];
  const problems: Problem[] = [];
  if (/[\r\n]/.test(message)) problems.push({ kind: 'multi-line-message', detail: describeError(e) });
  if (names.length && !names.some((n) => message.includes(n))) problems.push({ kind: 'unnamed-file', detail: `names none of ${names.join(', ')}: ${describeError(e)}` });
  return problems;
}
