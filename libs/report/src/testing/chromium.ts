/**
 * Headless Chromium for the report's browser tests: Debian's build, which CI installs. A
 * missing browser fails the tests, not skips them, so that CI can never pass without them.
 */
import * as fs from 'node:fs';
import { Browser, chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Launches the browser, or throws saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`the report's browser tests need Debian's chromium at ${CHROMIUM}: install it with 'apt-get install -y chromium' (CI installs it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
