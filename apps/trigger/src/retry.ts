/**
 * @module retry
 * Retrying Batch calls that were throttled. The SDK retries a few times on its own; a burst
 * of requests (a team dropping dozens at once) can outlast that, and a throttled submission
 * must not be reported as a failed run.
 */

/** Whether `e` is AWS saying "too many requests" rather than "no". */
export function isThrottling(e: unknown): boolean {
  const error = e as { name?: string; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } };
  return (
    error?.$retryable?.throttling === true ||
    error?.$metadata?.httpStatusCode === 429 ||
    ['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'RequestLimitExceeded'].includes(error?.name ?? '')
  );
}

export interface RetryOptions {
  /** Tries in all. @default 6 */
  attempts?: number;
  /** The first wait; each next one doubles, with full jitter. @default 200 */
  baseMs?: number;
  /** Waits; replaced in tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Runs `call`, trying again after a growing random wait while it is throttled. */
export async function retryThrottled<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { attempts = 6, baseMs = 200, sleep = (ms) => new Promise((r) => setTimeout(r, ms)), random = Math.random } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!isThrottling(e) || attempt >= attempts) throw e;
      await sleep(Math.floor(random() * baseMs * 2 ** (attempt - 1)));
    }
  }
}
