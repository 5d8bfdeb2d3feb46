#!/usr/bin/env node
// The `carve` command. The TypeScript sources are compiled by `npm run build` (which
// `npm ci` runs through the root `prepare` script).
const path = require('node:path');
const fs = require('node:fs');

const main = path.join(__dirname, '..', 'dist', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write('carve: not built yet; run `npm run build` in the repository root first\n');
  process.exit(2);
}
require(main)
  .runCli(process.argv.slice(2))
  .then((code) => process.exit(code));
