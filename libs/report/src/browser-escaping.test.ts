// The functions passed to page.evaluate run in the page, against the DOM's types.
/// <reference lib="dom" />
/**
 * Every string of a report comes out as text, in a real browser: the run report, the catalog
 * index and the experiment page of `testing/hostile.ts`, whose every name and spec field is a
 * script payload, are opened in Debian's headless Chromium with the page's Content-Security-
 * Policy bypassed, so that escaping alone has to stop them (the policy is a second wall, not
 * the first). No payload may call the exposed `pwned`, open a dialog, make a request or leave
 * an element or attribute that could run script; each string must read back literally; and
 * every link must stay inside the report's folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Browser } from 'playwright-core';
import { launchChromium } from './testing/chromium';
import { renderCatalogIndex } from './catalog/index-page';
import { renderExperimentReport } from './experiment/report';
import { renderRunReport } from './run/report';
import { hostile, hostileExperiment, hostileIndex, hostileRun } from './testing/hostile';


let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-report-hostile-'));
});

afterAll(async () => {
  await browser?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  /** The `where` of every payload that called `pwned`, and the message of every dialog. */
  fired: string[];
  requests: string[];
  url: string;
  /** Problems of the document: elements and attributes that can run script, links leaving the folder. */
  unsafe: string[];
  /** The document's text: its title, then its body. */
  text: string;
  /** textContent by selector, for the places a string must read back exactly. */
  read: (selector: string) => Promise<string[]>;
  close: () => Promise<void>;
}

/** Writes `html` under `name` in `dir/reports/` and opens it, with the page's CSP bypassed unless `csp`. */
async function open(name: string, html: string, csp: boolean): Promise<Opened> {
  const file = path.join(dir, 'reports', `${name}.html`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, html);
  const context = await browser.newContext({ bypassCSP: !csp });
  const page = await context.newPage();
  const fired: string[] = [];
  const requests: string[] = [];
  await page.exposeFunction('pwned', (where: string) => fired.push(where));
  page.on('dialog', (d) => {
    fired.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: 'load' });
  // An onload or onerror payload fires after load; give it the time it would take.
  await page.waitForTimeout(200);
  const folder = pathToFileURL(path.dirname(file)).href + '/';
  const unsafe = await page.evaluate((folder) => {
    const found: string[] = [];
    for (const el of Array.from(document.querySelectorAll('script, img, iframe, object, embed, foreignObject, link, base, form'))) found.push(`a <${el.tagName}> element`);
    if (document.querySelectorAll('style').length !== 1) found.push(`${document.querySelectorAll('style').length} <style> elements`);
    if (document.querySelectorAll('head > title').length !== 1) found.push(`${document.querySelectorAll('title').length} <title> elements in the head`);
    if (document.querySelectorAll('meta[http-equiv]').length !== 1) found.push('another http-equiv <meta>');
    for (const el of Array.from(document.querySelectorAll('*'))) {
      for (const a of Array.from(el.attributes)) {
        if (/^on/i.test(a.name)) found.push(`<${el.tagName} ${a.name}>`);
        if (/^\s*javascript:/i.test(a.value)) found.push(`<${el.tagName} ${a.name}="${a.value}">`);
        if (/^(src|srcdoc|xlink:href|action|formaction)$/i.test(a.name)) found.push(`<${el.tagName} ${a.name}>`);
      }
    }
    for (const a of Array.from(document.querySelectorAll('a'))) if (!a.href.startsWith(folder)) found.push(`a link out of the report's folder: ${a.getAttribute('href')} (${a.href})`);
    return found;
  }, folder);
  const text = await page.evaluate(() => `${document.title}\n${document.body.textContent ?? ''}`);
  const read = (selector: string) => page.locator(selector).evaluateAll((els) => els.map((e) => e.textContent ?? ''));
  return { fired, requests, url, unsafe, text, read, close: () => context.close() };
}

describe.each([
  ['with the Content-Security-Policy bypassed, escaping alone', false],
  ['with the Content-Security-Policy', true],
])('%s', (_how, csp) => {
  test('keeps every payload of a run report as text, and every link in its folder', async () => {
    const data = hostileRun();
    const page = await open(`run-${csp}`, renderRunReport(data), csp);
    expect(page.fired).toEqual([]);
    expect(page.requests).toEqual([page.url]);
    expect(page.unsafe).toEqual([]);
    expect(await page.read('head > title')).toEqual([`carve run ${data.run.id}`]);
    expect(await page.read('h1')).toEqual([`Run ${data.run.id}`]);
    expect(await page.read('table.facts td')).toEqual(expect.arrayContaining([data.run.model, data.run.status, data.run.created]));
    expect(await page.read('details pre')).toEqual([JSON.stringify(data.run.spec, null, 2)]);
    expect(await page.read('table.exported tr:has(td) > td:first-child')).toEqual([data.exported[0].name]);
    expect(await page.read('table.exported a')).toEqual(data.exported[0].files.map((f) => f.path));
    for (const where of ['stage', 'objective-y', 'objective-x', 'sub-network-0', 'network', 'measure', 'task', 'metric', 'method', 'baseline-model']) {
      expect(page.text).toContain(hostile(where));
    }
    await page.close();
  });

  test('keeps every payload of the catalog index as text, and its links in its folder', async () => {
    const runs = hostileIndex();
    const page = await open(`index-${csp}`, renderCatalogIndex(runs), csp);
    expect(page.fired).toEqual([]);
    expect(page.requests).toEqual([page.url]);
    expect(page.unsafe).toEqual([]);
    expect(await page.read('table.runs tr[data-run] a')).toEqual(runs.map((r) => r.id));
    for (const r of runs) for (const field of [r.model, r.status, r.created]) expect(page.text).toContain(field);
    expect(page.text).toContain(runs[0].objectives[0].name);
    await page.close();
  });

  test('keeps every payload of an experiment page as text', async () => {
    const data = hostileExperiment();
    const page = await open(`experiment-${csp}`, renderExperimentReport(data), csp);
    expect(page.fired).toEqual([]);
    expect(page.requests).toEqual([page.url]);
    expect(page.unsafe).toEqual([]);
    expect(await page.read('head > title')).toEqual([`${data.name}: ${data.model}`]);
    for (const field of [data.description, data.command, data.arms[0].name, data.arms[0].description, data.results.methods[0].method, data.results.methods[0].kind, String(data.seeds[0]), String(data.results.reference.hypervolumeReference[0])]) {
      expect(page.text).toContain(field);
    }
    await page.close();
  });
});
