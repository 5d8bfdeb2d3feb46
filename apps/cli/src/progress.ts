/**
 * @module progress
 * A progress bar redrawn in place on stderr, only when stderr is a terminal (logs and
 * pipes get the results, not a stream of redraws): done/total, a bar, a status text, ETA.
 */
import { CliIO } from './io';

export interface Progress {
  /** `done` of the total are finished; `status` says something about the latest (a loss, a trial). */
  (done: number, status: string): void;
  /** Ends the line, if one was drawn. */
  finish(): void;
}

const WIDTH = 24;

/** A progress bar labelled `label` over `total` units (steps, trials). */
export function createProgress(io: CliIO, label: string, total: number): Progress {
  const start = Date.now();
  let first: number | undefined;
  let drawn = false;
  const update = (done: number, status: string) => {
    if (!io.interactive) return;
    first ??= done - 1; // a resumed run's earlier units took no time here
    const perUnit = (Date.now() - start) / Math.max(1, done - first);
    const filled = Math.round((WIDTH * done) / total);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
    io.stderr(`\r${label} ${bar} ${done}/${total}, ${status}, ETA ${duration(perUnit * (total - done))}   `);
    drawn = true;
  };
  return Object.assign(update, { finish: () => drawn && io.stderr('\n') });
}

/** 1h05m, 3m07s. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}
