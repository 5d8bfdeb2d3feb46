import { configFromEnv } from './config';

test('the configuration comes from the environment, every problem named at once', () => {
  expect(configFromEnv({ CARVE_S3_BUCKET: 'b', CARVE_JOB_QUEUE: 'q', CARVE_JOB_DEFINITION: 'd' })).toEqual({ bucket: 'b', jobQueue: 'q', jobDefinition: 'd', maxRequestBytes: 256 * 1024, s3Endpoint: undefined, batchEndpoint: undefined });
  expect(configFromEnv({ CARVE_S3_BUCKET: 'b', CARVE_JOB_QUEUE: 'q', CARVE_JOB_DEFINITION: 'd', CARVE_MAX_REQUEST_BYTES: '1000' }).maxRequestBytes).toBe(1000);
  expect(() => configFromEnv({ CARVE_JOB_QUEUE: 'q', CARVE_MAX_REQUEST_BYTES: 'lots' })).toThrow(
    'trigger configuration: CARVE_S3_BUCKET is not set; CARVE_JOB_DEFINITION is not set; CARVE_MAX_REQUEST_BYTES must be a positive whole number of bytes (got "lots")',
  );
});
