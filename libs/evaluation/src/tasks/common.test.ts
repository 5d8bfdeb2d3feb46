import { Fields, TaskDataError } from '../documents';
import { indexField, pythonStrip } from './common';

test("pythonStrip strips Python's whitespace, which is not JavaScript's", () => {
  // python3 -c "print(repr('\x1c\x85\u3000 a\tb \ufeff'.strip()), repr('\ufeff x \x1f'.strip()))"
  expect(pythonStrip('\x1c\x85\u3000 a\tb \ufeff')).toBe('a\tb \ufeff');
  expect(pythonStrip('\ufeff x \x1f')).toBe('\ufeff x');
  expect(pythonStrip(' \n ')).toBe('');
});

test('indexField reads an index in range (also written as a string) and names the file, line and field otherwise', () => {
  const fields = (value: unknown) => new Fields({ where: 'data.jsonl:7', fields: { label: value } }, 'piqa');
  expect(indexField(fields('1'), 'label', 2, 'solutions')).toBe(1);
  expect(() => indexField(fields(2), 'label', 2, 'solutions')).toThrow(new TaskDataError("task 'piqa': data.jsonl:7: field 'label' is 2, not the index of one of its 2 solutions (0 to 1)"));
  expect(() => indexField(fields(0.5), 'label', 2, 'solutions')).toThrow("task 'piqa': data.jsonl:7: field 'label' must be an integer, got 0.5");
});

test('a field holding a value nested too deep for JSON.stringify is reported, not a stack overflow (found by tools/fuzz)', () => {
  const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  const fields = new Fields({ where: 'data.jsonl:2', fields: { label: deep } }, 'piqa');
  expect(() => indexField(fields, 'label', 2, 'solutions')).toThrow(new TaskDataError("task 'piqa': data.jsonl:2: field 'label' must be an integer, got […] (an array nested too deep to show)"));
});
