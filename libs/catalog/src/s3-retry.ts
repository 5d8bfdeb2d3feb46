/**
 * @module s3-retry
 * How the S3 backend retries what failed for a reason that may pass (a 5xx, throttling, a
 * dropped or refused connection, a timeout): exponential backoff with full jitter, bounded in
 * attempts and in time, then the last error.
 *
 * There is one retry loop per request, the SDK's: its middleware classifies each failure
 * (THROTTLING, TRANSIENT, SERVER_ERROR, CLIENT_ERROR) and asks the client's retry strategy
 * whether and when to try again. The SDK's default strategy would retry THROTTLING and
 * TRANSIENT (500, 502, 503, 504, SlowDown, 429, ECONNRESET/ECONNREFUSED/EPIPE/ETIMEDOUT,
 * timeouts) on its own curve, with no bound in time and a per-client budget, so the backend
 * replaces it with {@link boundedRetryStrategy}, which retries the same failures on this curve.
 * Refusals (403, NoSuchBucket, bad credentials, 404) are CLIENT_ERRORs and fail at once.
 *
 * The SDK's loop ends when a response's headers arrive, so it never sees a download whose
 * body breaks off; the backend retries that one case itself ({@link withBodyRetries}), with a
 * schedule of its own. Nothing else is retried outside the SDK, so attempts never multiply.
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';

/** The waits between the tries of a request, and their bound in time. */
export interface S3Backoff {
  /**
   * The scale of the waits: retry n waits a random time between 0 and
   * min(maxDelayMs, baseDelayMs × 2^(n-1)) ("full jitter", so that clients that failed
   * together do not retry together).
   */
  readonly baseDelayMs: number;
  /** The same scale after throttling (SlowDown, 429), which asks for a slower pace. */
  readonly throttledBaseDelayMs: number;
  /** No wait is longer (a server's Retry-After included). */
  readonly maxDelayMs: number;
  /**
   * No retry starts, or is waited for, past this long after the request's first try: the
   * bound on the time a request takes, besides its tries' own timeouts.
   */
  readonly maxElapsedMs: number;
}

/** How the S3 backend retries a request. */
export interface S3RetryOptions extends S3Backoff {
  /** Tries per request, the first included. */
  readonly maxAttempts: number;
}

/**
 * Three tries (the SDK's own default) within a minute: a request outlives a blip or a burst
 * of throttling, and a server that is down is reported in seconds, not minutes. A cloud job
 * whose publish still fails exits as a transient failure, and Batch retries the whole attempt.
 */
export const DEFAULT_S3_RETRY: S3RetryOptions = { maxAttempts: 3, baseDelayMs: 100, throttledBaseDelayMs: 1_000, maxDelayMs: 20_000, maxElapsedMs: 60_000 };

/** What failed, as far as retrying goes: the SDK's classification (RetryErrorType). */
export type FailureKind = 'TRANSIENT' | 'THROTTLING' | 'SERVER_ERROR' | 'CLIENT_ERROR';

/** The retries of one request: whether the next one may start, and after how long. */
export class RetrySchedule {
  private tries = 1;
  private readonly started: number;

  constructor(
    readonly options: S3RetryOptions,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.started = now();
  }

  /** Tries made so far, the first included. */
  get attempts(): number {
    return this.tries;
  }

  /**
   * The wait before the next try after a failure of `kind`, counting that try; undefined when
   * the failure is not retried (a refusal) or no try is left (attempts or time spent).
   * `retryAfter` is a wait the server asked for (Retry-After), honoured up to `maxDelayMs`.
   */
  next(kind: FailureKind, retryAfterMs?: number): number | undefined {
    const { maxAttempts, baseDelayMs, throttledBaseDelayMs, maxDelayMs, maxElapsedMs } = this.options;
    if ((kind !== 'TRANSIENT' && kind !== 'THROTTLING') || this.tries >= maxAttempts) return undefined;
    const scale = (kind === 'THROTTLING' ? throttledBaseDelayMs : baseDelayMs) * 2 ** (this.tries - 1);
    const jittered = Math.floor(this.random() * Math.min(maxDelayMs, scale));
    const delay = Math.min(maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
    if (this.now() - this.started + delay > maxElapsedMs) return undefined;
    this.tries++;
    return delay;
  }
}

type SdkRetryStrategy = Extract<NonNullable<S3ClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;
type SdkRetryToken = Awaited<ReturnType<SdkRetryStrategy['acquireInitialRetryToken']>>;

/** The SDK's token for a request's retries, carrying its schedule. */
interface ScheduledToken extends SdkRetryToken {
  readonly schedule: RetrySchedule;
}

/**
 * A retry strategy for the SDK's client that follows `options` (see the module comment). Each
 * request gets its own {@link RetrySchedule}; a refusal to retry makes the SDK throw the last
 * error, with `$metadata.attempts` set to the tries made.
 */
export function boundedRetryStrategy(options: S3RetryOptions): SdkRetryStrategy {
  const token = (schedule: RetrySchedule, delay: number): ScheduledToken => ({ schedule, getRetryCount: () => schedule.attempts - 1, getRetryDelay: () => delay });
  return {
    acquireInitialRetryToken: async () => token(new RetrySchedule(options), 0),
    refreshRetryTokenForRetry: async (previous, info) => {
      const { schedule } = previous as ScheduledToken;
      const delay = schedule.next(info.errorType, info.retryAfterHint ? info.retryAfterHint.getTime() - Date.now() : undefined);
      if (delay === undefined) throw new Error('no retry left');
      return token(schedule, delay);
    },
    recordSuccess: () => undefined,
  };
}

/** A download whose body broke off after its response began; `error` is the stream's. */
export class BodyReadFailure extends Error {
  constructor(readonly error: unknown) {
    super((error as Error)?.message ?? String(error));
  }
}

/** The last failure of {@link withBodyRetries}, with the tries it took. */
export class RetriesSpent extends Error {
  constructor(
    readonly error: unknown,
    readonly attempts: number,
  ) {
    super((error as Error)?.message ?? String(error));
  }
}

/**
 * Runs `attempt` again, on `options`' schedule, each time it throws a {@link BodyReadFailure}
 * (the SDK's loop had already ended when the body broke off); any other failure has been
 * through the SDK's retries and is thrown as it is. The last body failure is thrown as a
 * {@link RetriesSpent} holding the stream's error and the number of tries.
 */
export async function withBodyRetries<T>(options: S3RetryOptions, attempt: () => Promise<T>): Promise<T> {
  const schedule = new RetrySchedule(options);
  while (true) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof BodyReadFailure)) throw e;
      const delay = schedule.next('TRANSIENT');
      if (delay === undefined) throw new RetriesSpent(e.error, schedule.attempts);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
