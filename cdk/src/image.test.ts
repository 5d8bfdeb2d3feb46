import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findRepoRoot, pullsFromEcr, WORKER_DOCKERFILE } from './image';

describe('findRepoRoot', () => {
  test("finds the workspace root from the stack's folder, where the worker's Dockerfile is", () => {
    const root = findRepoRoot(__dirname);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).name).toBe('carve-workspace');
    expect(fs.existsSync(path.join(root, WORKER_DOCKERFILE))).toBe(true);
    expect(fs.existsSync(path.join(root, '.dockerignore'))).toBe(true);
  });

  test('outside the repository, says the app must run inside it', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-outside-'));
    try {
      expect(() => findRepoRoot(outside)).toThrow(`no folder at or above ${outside} has the package.json of 'carve-workspace': the CDK app must run inside the carve repository`);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

test('pullsFromEcr: the asset and ECR images need a registry login, public registries do not', () => {
  expect(pullsFromEcr(undefined)).toBe(true);
  expect(pullsFromEcr('123456789012.dkr.ecr.us-east-1.amazonaws.com/carve:1')).toBe(true);
  expect(pullsFromEcr('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/carve@sha256:' + '0'.repeat(64))).toBe(true);
  expect(pullsFromEcr('public.ecr.aws/acme/carve:1')).toBe(false);
  expect(pullsFromEcr('docker.io/acme/carve:1')).toBe(false);
});
