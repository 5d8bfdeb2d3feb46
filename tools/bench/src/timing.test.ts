import { median, parseArgs, round, table, timeInterleaved } from './timing';

const defaults = { runs: 20, warmup: 5, threads: [1, 2], interleave: false };

describe('parseArgs', () => {
  it('keeps the defaults without flags', () => {
    expect(parseArgs([], defaults)).toEqual(defaults);
  });

  it('reads --runs, --warmup and --threads, separated or with =', () => {
    expect(parseArgs(['--runs', '7', '--threads=2', '--warmup=0'], defaults)).toEqual({ runs: 7, warmup: 0, threads: [2], interleave: false });
    expect(parseArgs(['--interleave'], defaults).interleave).toBe(true);
    expect(parseArgs(['--threads', '1,2,4'], defaults).threads).toEqual([1, 2, 4]);
  });

  it('rejects unknown flags, missing and malformed values', () => {
    expect(() => parseArgs(['--fast'], defaults)).toThrow(/unknown argument '--fast'/);
    expect(() => parseArgs(['--runs'], defaults)).toThrow(/--runs needs a value/);
    expect(() => parseArgs(['--runs', 'many'], defaults)).toThrow(/non-negative integer/);
    expect(() => parseArgs(['--threads', ','], defaults)).toThrow(/at least one/);
  });

  it('does not mutate the defaults', () => {
    parseArgs(['--threads', '4'], defaults);
    expect(defaults.threads).toEqual([1, 2]);
  });
});

describe('median, round, table', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('rounds to the given decimals', () => {
    expect(round(1.23456)).toBe(1.235);
    expect(round(1.25, 1)).toBe(1.3);
  });

  it('aligns columns', () => {
    expect(table(['a', 'bb'], [['xyz', '1']]).split('\n')).toEqual(['a    bb', '---  --', 'xyz   1']);
  });
});

describe('timeInterleaved', () => {
  it('runs each function warmup + settle + runs times, in blocks', async () => {
    const order: string[] = [];
    const [a, b] = await timeInterleaved(
      [async () => order.push('a'), async () => order.push('b')],
      1,
      3,
      2,
      1,
    );
    expect(a.samples).toHaveLength(3);
    expect(b.samples).toHaveLength(3);
    expect(order.join('')).toBe('ab' + 'aaa' + 'bbb' + 'aa' + 'bb'); // warm-up, then blocks of 1 settle + 2 timed
  });
});
