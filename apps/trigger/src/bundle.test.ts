import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The Lambda runs dist/bundle/index.js alone: no node_modules, no workspace. `npm run build` makes it.
const bundle = path.join(__dirname, '..', 'dist', 'bundle', 'index.js');

test('the bundle loads on its own, exports the handler, and reports a missing configuration in one line', () => {
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-trigger-bundle-'));
  try {
    fs.copyFileSync(bundle, path.join(dir, 'index.js'));
    const script = `require('./index.js').handler({ Records: [] }).then(() => console.log('no error'), (e) => console.log(typeof require('./index.js').handler, e.message))`;
    const env = { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const out = execFileSync(process.execPath, ['-e', script], { cwd: dir, env, encoding: 'utf8' }).trim();
    expect(out).toBe('function trigger configuration: CARVE_S3_BUCKET is not set; CARVE_JOB_QUEUE is not set; CARVE_JOB_DEFINITION is not set');
    // Numerical code never gets in: the bundle is only the protocol, the spec and the SDK clients.
    expect(fs.readFileSync(bundle, 'utf8')).not.toMatch(/onnxruntime/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
