import { PluginError, PluginRegistry, runPluginContract } from '@carve/registry';
import * as nodePath from 'node:path';
import { CatalogBackend } from './backend';
import { localBackendPlugin, s3BackendPlugin, catalogBackendPlugins } from './plugins';

const registry = new PluginRegistry();
registry.register(catalogBackendPlugins);
const create = (name: string, options: unknown, env: Record<string, string> = {}) => registry.create<CatalogBackend>('catalog-backend', name, options, { env });

function createError(name: string, options: unknown, env: Record<string, string> = {}): PluginError {
  try {
    create(name, options, env);
  } catch (e) {
    if (e instanceof PluginError) return e;
    throw e;
  }
  throw new Error('expected a PluginError');
}

describe('localBackendPlugin', () => {
  test('meets the plugin contract', async () => {
    const { defaults } = await runPluginContract(localBackendPlugin, {
      validOptions: [{}, { root: '/data/catalog' }],
      invalidOptions: [
        { options: { root: '' }, field: 'root' },
        { options: { bucket: 'x' }, field: 'bucket' },
      ],
      context: {},
    });
    expect(defaults).toEqual({ root: 'catalog' });
  });

  test('resolves its root from the working directory', () => {
    expect(create('local', {}).describe()).toBe(`local folder ${nodePath.resolve('catalog')}`);
  });
});

describe('s3BackendPlugin', () => {
  test('meets the plugin contract', async () => {
    await runPluginContract(s3BackendPlugin, {
      validOptions: [
        {},
        { bucket: 'carve-results', prefix: 'team/carve', region: 'eu-west-1', endpoint: 'http://127.0.0.1:9000', maxAttempts: 5 },
        { backoff: { baseDelayMs: 50, throttledBaseDelayMs: 500, maxDelayMs: 5000, maxElapsedMs: 30_000 } },
      ],
      invalidOptions: [
        { options: { bucket: 'Carve_Results' }, field: 'bucket' },
        { options: { endpoint: 'ftp://example.com' }, field: 'endpoint' },
        { options: { prefix: 'a/../b' }, field: 'prefix' },
        { options: { maxAttempts: 0 }, field: 'maxAttempts' },
        { options: { backoff: { baseDelayMs: -1 } }, field: 'backoff.baseDelayMs' },
        { options: { backoff: { jitter: 'none' } }, field: 'backoff' },
        { options: { forcePathStyle: 'yes' }, field: 'forcePathStyle' },
      ],
      context: { env: { CARVE_S3_BUCKET: 'carve-results' } },
    });
  });

  test('defaults each option from the environment, and lets options override it', () => {
    const env = { CARVE_S3_BUCKET: 'from-env', CARVE_S3_PREFIX: 'runs-of/alice/', CARVE_S3_ENDPOINT: 'http://127.0.0.1:9000', AWS_REGION: 'eu-west-1' };
    const fromEnv = create('s3', {}, env);
    expect(fromEnv.describe()).toBe('s3://from-env/runs-of/alice at http://127.0.0.1:9000');
    expect((fromEnv as unknown as { settings: object }).settings).toEqual({
      bucket: 'from-env',
      prefix: 'runs-of/alice',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      maxAttempts: 3,
      credentials: undefined,
    });
    expect(create('s3', { bucket: 'from-options', prefix: '' }, env).describe()).toBe('s3://from-options/ at http://127.0.0.1:9000');
    expect((create('s3', { bucket: 'aws-bucket' }) as unknown as { settings: object }).settings).toMatchObject({ region: 'us-east-1', forcePathStyle: false });
  });

  test('passes the backoff on to the backend, whose retries take the defaults for what it leaves out', () => {
    const backend = create('s3', { bucket: 'carve-results', maxAttempts: 5, backoff: { baseDelayMs: 10 } }) as unknown as { settings: object; retry: object };
    expect(backend.settings).toMatchObject({ maxAttempts: 5, backoff: { baseDelayMs: 10 } });
    expect(backend.retry).toEqual({ maxAttempts: 5, baseDelayMs: 10, throttledBaseDelayMs: 1000, maxDelayMs: 20_000, maxElapsedMs: 60_000 });
  });

  test('says what to set when there is no bucket, and names a malformed variable', () => {
    expect(createError('s3', {}).message).toBe("catalog-backend/s3@1.0.0: catalog backend 's3': no bucket: set the option bucket or CARVE_S3_BUCKET");
    expect(createError('s3', {}, { CARVE_S3_BUCKET: 'My_Bucket', CARVE_S3_ENDPOINT: 'localhost:9000' }).issues).toEqual([
      "catalog-backend/s3@1.0.0: CARVE_S3_BUCKET (the default of 'bucket') must be 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit (got \"My_Bucket\")",
      "catalog-backend/s3@1.0.0: CARVE_S3_ENDPOINT (the default of 'endpoint') must be an http:// or https:// URL (got \"localhost:9000\")",
    ]);
  });
});
