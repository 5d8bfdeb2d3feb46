/**
 * The real CDK CLI synthesizing the compiled app (cdk/dist/bin/app.js, built by
 * `npx tsc -b cdk` or `npm test`'s build), offline: no AWS credentials, no instance
 * metadata, no telemetry or notices.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const cdkDir = path.resolve(__dirname, '..');
const cli = path.join(path.dirname(require.resolve('aws-cdk/package.json')), 'bin', 'cdk');
const app = path.join(cdkDir, 'dist', 'bin', 'app.js');

function synthesize(...args: string[]) {
  if (!fs.existsSync(app)) throw new Error(`${app} is missing: build the CDK app first (npx tsc -b cdk, or npm test, which builds before testing)`);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-cdk-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true' };
  for (const name of Object.keys(env)) if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|DEFAULT_PROFILE|REGION|DEFAULT_REGION)$/.test(name) || name.startsWith('CDK_DEFAULT_')) delete env[name];
  const result = spawnSync(process.execPath, [cli, 'synth', '--quiet', '--no-notices', '--no-version-reporting', '-o', out, ...args], { cwd: cdkDir, env, encoding: 'utf8' });
  return { ...result, out };
}

describe('npx cdk synth', () => {
  test('synthesizes the app offline, passing cdk-nag, with the worker image staged without node_modules', () => {
    const { status, stderr, out } = synthesize();
    try {
      expect([status, stderr]).toEqual([0, expect.not.stringMatching(/error/i)]);
      const template = JSON.parse(fs.readFileSync(path.join(out, 'Carve.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
      const types = new Set(Object.values(template.Resources).map((r) => r.Type));
      for (const type of ['AWS::S3::Bucket', 'AWS::Batch::ComputeEnvironment', 'AWS::Batch::JobQueue', 'AWS::Batch::JobDefinition', 'AWS::Lambda::Function']) expect(types).toContain(type);
      const report = JSON.parse(fs.readFileSync(path.join(out, 'validation-report.json'), 'utf8')) as { pluginReports: { conclusion: string }[] };
      expect(report.pluginReports.filter((r) => r.conclusion !== 'success')).toEqual([]);

      const assets = JSON.parse(fs.readFileSync(path.join(out, 'Carve.assets.json'), 'utf8')) as { dockerImages: Record<string, { source: { directory: string; dockerFile: string } }> };
      const [image] = Object.values(assets.dockerImages);
      const context = path.join(out, image.source.directory);
      expect(fs.existsSync(path.join(context, image.source.dockerFile))).toBe(true);
      expect(fs.existsSync(path.join(context, 'package-lock.json'))).toBe(true);
      for (const excluded of ['node_modules', '.git', '.nx', 'libs/engine/dist', 'libs/engine/node_modules', 'cdk/cdk.out', 'carve-runs']) expect([excluded, fs.existsSync(path.join(context, excluded))]).toEqual([excluded, false]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('a bad prop given with -c stops it with one line naming the prop', () => {
    const { status, stderr, out } = synthesize('-c', 'maxvCpus=2', '-c', 'instanceTypes=g5.xlarge,m5.large');
    fs.rmSync(out, { recursive: true, force: true });
    expect(status).not.toBe(0);
    expect(stderr).toContain("CarveCloudStack props: instanceTypes.1: 'm5.large' is not a GPU instance (g4dn, g5, g6, g6e, p3, p4d, p5 families); maxvCpus: must be ≥ 4 (one GPU instance has 4 vCPUs)\n");
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  test('a missing trigger bundle stops it with one line saying to build it', () => {
    const missing = path.join(os.tmpdir(), 'carve-no-bundle');
    const { status, stderr, out } = synthesize('-c', `triggerBundleDir=${missing}`);
    fs.rmSync(out, { recursive: true, force: true });
    expect(status).not.toBe(0);
    expect(stderr).toContain(`CarveCloudStack: the trigger Lambda's bundle ${path.join(missing, 'index.js')} is missing; run \`npm run build\` at the repository root (it bundles apps/trigger), then synthesize again\n`);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
