// Prints the totals that summary-reporter.js recorded for every jest project, as the
// closing line of `npm test`: "tests: N passed, N failed, N skipped".
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', '..', 'test-results');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
const total = { passed: 0, failed: 0, skipped: 0 };
for (const f of files) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  console.log(`  ${r.project}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  for (const k of Object.keys(total)) total[k] += r[k];
}
if (files.length === 0) {
  console.error('no test results were recorded');
  process.exit(1);
}
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
