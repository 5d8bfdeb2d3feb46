import { escapeHtml, page, relativeHref, relativeHrefOf, slug, uniqueId } from './html';

test('escaping covers text and both kinds of attribute quotes', () => {
  expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  expect(escapeHtml(12)).toBe('12');
});

test('file links stay relative, whatever the path holds', () => {
  expect(relativeHref('models/small/model.onnx')).toBe('models/small/model.onnx');
  expect(relativeHref('models/a b#1?.onnx')).toBe('models/a%20b%231%3F.onnx');
  expect(relativeHref('javascript:alert(1)')).toBe('javascript%3Aalert(1)');
});

test('file links stay inside the report\'s folder: no host, no root, no way up', () => {
  expect(relativeHref('//evil.example/model.onnx')).toBe('evil.example/model.onnx');
  expect(relativeHref('/etc/passwd')).toBe('etc/passwd');
  expect(relativeHref('../../etc/passwd')).toBe('etc/passwd');
  expect(relativeHref('models/./a//b.onnx')).toBe('models/a/b.onnx');
  expect(relativeHref('')).toBe('.');
  expect(relativeHrefOf(['runs', '..', 'report.html'])).toBe('runs/report.html');
  expect(relativeHrefOf(['runs', 'a/b <x>', 'report.html'])).toBe('runs/a%2Fb%20%3Cx%3E/report.html');
});

test('ids are slugs, made unique when they collide', () => {
  expect(slug('val-loss')).toBe('val-loss');
  expect(slug('Latency (ms)')).toBe('latency-ms');
  expect(slug('→')).toBe('x');
  const taken = new Set<string>();
  expect([uniqueId(taken, 'a'), uniqueId(taken, 'a'), uniqueId(taken, 'a')]).toEqual(['a', 'a-2', 'a-3']);
});

test('a page forbids every fetch and script', () => {
  const html = page('<t>', '<p>x</p>');
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  expect(html).toContain('<title>&lt;t&gt;</title>');
});
