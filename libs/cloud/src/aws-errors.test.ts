import { describeAwsFailure, isAwsFailure } from './aws-errors';

const service = (name: string, httpStatusCode: number, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode, attempts: 1 } });

test('each common cause gets its own advice, naming the service or the bucket', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', $metadata: { attempts: 3 } });
  expect(describeAwsFailure(refused, { service: 'S3', bucket: 'b' })).toBe('cannot connect to S3 (ECONNREFUSED) after 3 attempts; check the endpoint or region, the network, and that the server is running');
  expect(describeAwsFailure(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), { service: 'Batch' })).toMatch(/^no AWS credentials found; set AWS_ACCESS_KEY_ID/);
  expect(describeAwsFailure(service('NoSuchBucket', 404), { service: 'S3', bucket: 'carve-x' })).toBe("bucket 'carve-x' does not exist (NoSuchBucket, HTTP 404); check the bucket name and the region");
  expect(describeAwsFailure(service('AccessDenied', 403), { service: 'S3', bucket: 'carve-x' })).toBe("access denied (AccessDenied, HTTP 403); check that the credentials may use bucket 'carve-x'");
  expect(describeAwsFailure(service('AccessDeniedException', 403), { service: 'Batch', bucket: 'carve-x' })).toBe('access denied (AccessDeniedException, HTTP 403); check that the credentials may use Batch');
  expect(describeAwsFailure(service('UnrecognizedClientException', 400), { service: 'CloudWatch Logs' })).toMatch(/^the AWS credentials were refused \(UnrecognizedClientException, HTTP 400\)/);
  expect(describeAwsFailure(service('ClientException', 400, 'Job not found'), { service: 'Batch' })).toBe('Job not found (ClientException, HTTP 400)');
});

test('isAwsFailure tells the SDK failures from bugs', () => {
  expect(isAwsFailure(service('AccessDenied', 403))).toBe(true);
  expect(isAwsFailure(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBe(true);
  expect(isAwsFailure(Object.assign(new Error('x'), { name: 'CredentialsProviderError' }))).toBe(true);
  expect(isAwsFailure(new TypeError('undefined is not a function'))).toBe(false);
  expect(isAwsFailure('text')).toBe(false);
});
