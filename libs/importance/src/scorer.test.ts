import { activationScorer, getScorer, SCORERS } from './scorer';

test('scorers are looked up by name, and an unknown name lists the known ones', () => {
  expect(getScorer('activation')).toBe(activationScorer);
  expect(SCORERS.every((s) => s.name && s.version && s.description && typeof s.score === 'function')).toBe(true);
  expect(() => getScorer('taylor')).toThrow("unknown importance scorer 'taylor' (known: activation, magnitude)");
});
