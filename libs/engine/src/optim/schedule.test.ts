import { warmupCosine } from './schedule';

describe('warmupCosine', () => {
  const lr = warmupCosine({ peakLr: 1e-3, warmupSteps: 10, totalSteps: 110, minLr: 1e-4 });

  test('warms up linearly to the peak', () => {
    expect(lr(0)).toBeCloseTo(1e-4, 12);
    expect(lr(4)).toBeCloseTo(5e-4, 12);
    expect(lr(9)).toBeCloseTo(1e-3, 12);
  });

  test('decays by a half cosine to minLr and stays there', () => {
    expect(lr(10)).toBeCloseTo(1e-3, 12);
    expect(lr(60)).toBeCloseTo(5.5e-4, 12); // halfway: mean of peak and min
    expect(lr(110)).toBeCloseTo(1e-4, 12);
    expect(lr(500)).toBeCloseTo(1e-4, 12);
    for (let s = 10; s < 110; s++) expect(lr(s + 1)).toBeLessThanOrEqual(lr(s));
  });

  test('rejects inconsistent settings, listing every problem', () => {
    expect(() => warmupCosine({ peakLr: 1, warmupSteps: 5, totalSteps: 2, minLr: 2 })).toThrow(
      'warmupCosine: minLr must be in [0, peakLr], got 2; totalSteps must be an integer >= warmupSteps, got 2',
    );
  });
});
