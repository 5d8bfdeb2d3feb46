import { boundedRetryStrategy, DEFAULT_S3_RETRY, RetrySchedule, S3RetryOptions } from './s3-retry';

const OPTIONS: S3RetryOptions = { maxAttempts: 5, baseDelayMs: 100, throttledBaseDelayMs: 1000, maxDelayMs: 750, maxElapsedMs: 10_000 };

/** A schedule on a clock that moves only when told, drawing `draw` as its random number. */
function schedule(options: Partial<S3RetryOptions> = {}, draw = 0.999) {
  const clock = { now: 0 };
  return { clock, schedule: new RetrySchedule({ ...OPTIONS, ...options }, () => clock.now, () => draw) };
}

describe('RetrySchedule', () => {
  test('waits a random time below a doubling scale (full jitter), never over maxDelayMs', () => {
    const high = schedule().schedule;
    expect([1, 2, 3, 4].map(() => high.next('TRANSIENT'))).toEqual([99, 199, 399, 749]);
    const low = schedule({}, 0).schedule;
    expect(low.next('TRANSIENT')).toBe(0);
  });

  test('throttling waits on the slower scale', () => {
    const { schedule: s } = schedule({ maxDelayMs: 20_000 });
    expect([s.next('THROTTLING'), s.next('THROTTLING')]).toEqual([999, 1998]);
  });

  test('gives no retry after maxAttempts tries, counting the first', () => {
    const { schedule: s } = schedule({ maxAttempts: 3 });
    expect([s.next('TRANSIENT'), s.next('TRANSIENT'), s.next('TRANSIENT')].map((d) => d !== undefined)).toEqual([true, true, false]);
    expect(s.attempts).toBe(3);
  });

  test('gives no retry that would start past maxElapsedMs, attempts left or not', () => {
    // The second retry waits 199 ms: it may start at 800 + 199, not at 850 + 199.
    const early = schedule({ maxAttempts: 10, maxElapsedMs: 1000 });
    expect(early.schedule.next('TRANSIENT')).toBe(99);
    early.clock.now = 800;
    expect(early.schedule.next('TRANSIENT')).toBe(199);
    const late = schedule({ maxAttempts: 10, maxElapsedMs: 1000 });
    expect(late.schedule.next('TRANSIENT')).toBe(99);
    late.clock.now = 850;
    expect(late.schedule.next('TRANSIENT')).toBeUndefined();
    expect(late.schedule.attempts).toBe(2);
  });

  test('never retries a refusal or a server error the SDK does not call transient', () => {
    const { schedule: s } = schedule();
    expect([s.next('CLIENT_ERROR'), s.next('SERVER_ERROR')]).toEqual([undefined, undefined]);
    expect(s.attempts).toBe(1);
  });

  test("honours the server's Retry-After, up to maxDelayMs", () => {
    const { schedule: s } = schedule({}, 0);
    expect([s.next('THROTTLING', 300), s.next('THROTTLING', 5000)]).toEqual([300, 750]);
  });

  test('defaults to three tries within a minute', () => {
    expect(DEFAULT_S3_RETRY).toEqual({ maxAttempts: 3, baseDelayMs: 100, throttledBaseDelayMs: 1000, maxDelayMs: 20_000, maxElapsedMs: 60_000 });
  });
});

describe('boundedRetryStrategy', () => {
  test('gives the SDK a token per retry with its wait and count, and refuses once the tries are spent', async () => {
    const strategy = boundedRetryStrategy({ ...OPTIONS, maxAttempts: 3 });
    const first = await strategy.acquireInitialRetryToken('');
    expect([first.getRetryCount(), first.getRetryDelay()]).toEqual([0, 0]);
    const second = await strategy.refreshRetryTokenForRetry(first, { errorType: 'TRANSIENT' });
    expect(second.getRetryCount()).toBe(1);
    expect(second.getRetryDelay()).toBeLessThan(OPTIONS.baseDelayMs);
    const third = await strategy.refreshRetryTokenForRetry(second, { errorType: 'THROTTLING' });
    expect(third.getRetryCount()).toBe(2);
    await expect(strategy.refreshRetryTokenForRetry(third, { errorType: 'TRANSIENT' })).rejects.toThrow('no retry left');
    // Each request has its own schedule.
    const other = await strategy.acquireInitialRetryToken('');
    await expect(strategy.refreshRetryTokenForRetry(other, { errorType: 'CLIENT_ERROR' })).rejects.toThrow('no retry left');
    expect((await strategy.refreshRetryTokenForRetry(other, { errorType: 'TRANSIENT' })).getRetryCount()).toBe(1);
  });
});
