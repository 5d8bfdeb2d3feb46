// Records each jest project's totals in test-results/, so `npm test` can end with one
// line that counts every test of every project (tools/jest/print-summary.js).
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '..', '..', 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    const name = path.basename(this.rootDir);
    const record = {
      project: path.relative(path.join(__dirname, '..', '..'), this.rootDir),
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(record) + '\n');
  }
}

module.exports = SummaryReporter;
