// The functions passed to page.evaluate run in the page, against the DOM's types.
/// <reference lib="dom" />
/**
 * The reports in a real browser: Debian's headless Chromium driven by playwright-core.
 * Each page must load without errors or requests, draw every point, bar and line with a
 * size, keep its labels apart, and leave a full-page screenshot in test-results/report/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Browser, Page } from 'playwright-core';
import { launchChromium } from './testing/chromium';
import { renderCatalogIndex } from './catalog/index-page';
import { renderRunReport } from './run/report';
import { awkwardRun, crowdedIndex, syntheticIndex, syntheticRun } from './testing/synthetic';

const ARTIFACTS = path.resolve(__dirname, '../../../test-results/report');

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-report-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Opens `file` and records every console error, page error and request other than the file itself. */
async function open(file: string): Promise<{ page: Page; url: string; problems: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const url = pathToFileURL(file).href;
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, url, problems, requests };
}

/** Everything drawn has a size and lies inside its svg, and no two texts of an svg overlap. */
async function layoutIssues(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const issues: string[] = [];
    const inside = (r: DOMRect, o: DOMRect) => r.left >= o.left - 0.5 && r.right <= o.right + 0.5 && r.top >= o.top - 0.5 && r.bottom <= o.bottom + 0.5;
    const overlap = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    for (const svg of Array.from(document.querySelectorAll('svg.plot'))) {
      const box = svg.getBoundingClientRect();
      if (!box.width || !box.height) issues.push(`#${svg.id} has no size`);
      for (const el of Array.from(svg.querySelectorAll('circle, rect, polyline, text'))) {
        const r = el.getBoundingClientRect();
        const name = `#${svg.id} ${el.tagName} ${el.textContent?.split('\n')[0] ?? ''}`;
        if (!(r.width > 0 && r.height > 0) && el.getAttribute('data-count') !== '0') issues.push(`${name} has no size`);
        if (!inside(r, box)) issues.push(`${name} is outside its svg`);
      }
      const texts = Array.from(svg.querySelectorAll('text'));
      texts.forEach((a, i) =>
        texts.slice(i + 1).forEach((b) => {
          if (overlap(a.getBoundingClientRect(), b.getBoundingClientRect())) issues.push(`#${svg.id}: "${a.textContent}" overlaps "${b.textContent}"`);
        }),
      );
    }
    return issues;
  });
}

test('the run report renders every trial, bar and curve, fetching nothing', async () => {
  const file = path.join(dir, 'report.html');
  fs.writeFileSync(file, renderRunReport(syntheticRun({ trials: 40, front: 7 })));
  const { page, url, problems, requests } = await open(file);
  const count = (selector: string) => page.locator(selector).count();

  for (const id of ['pareto-val-loss-vs-latency', 'pareto-val-loss-vs-params']) {
    expect(await count(`#${id} circle[data-trial]`)).toBe(40);
    expect(await count(`#${id} circle[data-front="true"]`)).toBe(7);
    expect(await count(`#${id} polyline.staircase`)).toBe(1);
  }
  expect(await count('#histogram rect[data-bin]')).toBe(21);
  expect(await page.locator('#training-loss polyline[data-series="train"]').evaluate((l) => (l as SVGPolylineElement).points.numberOfItems)).toBe(50);
  for (const network of ['largest', 'medium', 'smallest']) expect(await count(`#validation-loss circle[data-series="${network}"]`)).toBe(5);
  expect(await count('table.exported tr:has(td)')).toBe(3);
  expect(await count('table.exported a[href$="model.onnx"]')).toBe(3);
  for (const task of ['text-cloze', 'hellaswag', 'lambada']) {
    expect(await count(`#task-${task} circle[data-model]`)).toBe(3);
    expect(await count(`#task-${task} .reference line[stroke-dasharray]`)).toBe(1);
  }
  expect(await count('table.tasks tr:has(td)')).toBe(3 * 4);
  expect(await page.title()).toBe('carve run 2026-11-28-stories260k');
  expect(await layoutIssues(page)).toEqual([]);

  await page.screenshot({ path: path.join(ARTIFACTS, 'run-report.png'), fullPage: true });
  expect(problems).toEqual([]);
  expect(requests).toEqual([url]);
  await page.close();
});

test('the catalog index overlays the fronts of runs sharing objectives, and links to each report', async () => {
  const runs = syntheticIndex();
  for (const run of runs) {
    fs.mkdirSync(path.join(dir, 'runs', run.id), { recursive: true });
    fs.writeFileSync(path.join(dir, 'runs', run.id, 'report.html'), renderRunReport({ ...syntheticRun(), run: { ...syntheticRun().run, id: run.id } }));
  }
  const file = path.join(dir, 'index.html');
  fs.writeFileSync(file, renderCatalogIndex(runs));
  const { page, url, problems, requests } = await open(file);
  const count = (selector: string) => page.locator(selector).count();

  expect(await count('table.runs tr[data-run]')).toBe(3);
  expect(await count('#overlay-val-loss-vs-latency circle[data-run="run-a"]')).toBe(7);
  expect(await count('#overlay-val-loss-vs-latency circle[data-run="run-b"]')).toBe(5);
  expect(await count('#overlay-val-loss-vs-latency polyline.staircase')).toBe(2);
  expect(await count('#overlay-val-loss-vs-params circle[data-run="run-c"]')).toBe(4);
  expect(await layoutIssues(page)).toEqual([]);
  await page.screenshot({ path: path.join(ARTIFACTS, 'index.png'), fullPage: true });
  expect(problems).toEqual([]);
  expect(requests).toEqual([url]);

  await page.click('a[href="runs/run-b/report.html"]');
  await page.waitForLoadState('load');
  expect(await page.title()).toBe('carve run run-b');
  expect(problems).toEqual([]);
  expect(requests).toEqual([url, pathToFileURL(path.join(dir, 'runs/run-b/report.html')).href]);
  await page.close();
});

test('awkward data, a crowded index and an empty report load cleanly and keep their labels apart', async () => {
  const pages = {
    'run-report-awkward': renderRunReport(awkwardRun()),
    'index-crowded': renderCatalogIndex(crowdedIndex()),
    'run-report-empty': renderRunReport({ run: { id: 'empty', model: 'm', status: 'failed', created: '', timings: {}, spec: undefined }, objectives: [], trials: [], exported: [] }),
  };
  for (const [name, html] of Object.entries(pages)) {
    const file = path.join(dir, `${name}.html`);
    fs.writeFileSync(file, html);
    const { page, url, problems, requests } = await open(file);
    expect(await layoutIssues(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    if (name === 'run-report-awkward') {
      expect(await page.locator('svg[id$="-vs-latency"] circle[data-trial]').count()).toBe(299);
      expect(await page.locator('svg[id$="-vs-flops"] circle[data-trial]').count()).toBe(300);
      expect(await page.locator('svg[id^="task-"] circle[data-model]').count()).toBe(3 + 2);
    }
    if (name === 'index-crowded') expect(await page.locator('svg.plot circle[data-run]').count()).toBe(4 * (7 + 5 + 4));
    await page.close();
  }
});
