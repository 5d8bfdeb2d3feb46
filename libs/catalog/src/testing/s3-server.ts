/**
 * @module testing/s3-server
 * A real S3-compatible server for the tests: s3rver, in the test's own process, on a free
 * loopback port, storing into a temporary folder. The bucket is created through the S3 API,
 * as a user would, so the tests exercise nothing that a real deployment would not.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import S3rver from 's3rver';

/** s3rver accepts requests signed with these (its defaults). */
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

export interface S3Server {
  readonly endpoint: string;
  readonly bucket: string;
  /** The environment a catalog-backend context gets to reach the bucket: endpoint, bucket, credentials. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts s3rver with an empty `bucket`. */
export async function startS3Server(bucket = 'carve-test'): Promise<S3Server> {
  const directory = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-s3rver-'));
  const server = new S3rver({ directory, address: '127.0.0.1', port: 0, silent: true });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY },
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return {
    endpoint,
    bucket,
    env: { ...CREDENTIALS, CARVE_S3_ENDPOINT: endpoint, CARVE_S3_BUCKET: bucket },
    stop: async () => {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
