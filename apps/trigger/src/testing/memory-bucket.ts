/**
 * @module testing/memory-bucket
 * An S3 bucket in memory behind aws-sdk-client-mock: GetObject (with the object's size, as S3
 * answers it) and PutObject with S3's answers (NoSuchKey, and 412 for `If-None-Match: *` on an
 * existing key), so the handler's claim logic meets the semantics of the real service.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';

export interface MemoryBucket {
  objects: Map<string, Buffer>;
  mock: AwsClientStub<S3Client>;
  /** The parsed JSON object under `key`. */
  json(key: string): unknown;
}

const error = (name: string, httpStatusCode: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });

export function memoryBucket(bucket: string): MemoryBucket {
  const objects = new Map<string, Buffer>();
  const mock = mockClient(S3Client);
  mock.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    const body = input.Bucket === bucket ? objects.get(input.Key) : undefined;
    if (!body) throw error('NoSuchKey', 404);
    return { ContentLength: body.length, Body: { transformToByteArray: async () => new Uint8Array(body) } };
  });
  mock.on(PutObjectCommand).callsFake((input: { Bucket: string; Key: string; Body: string | Uint8Array; IfNoneMatch?: string }) => {
    if (input.Bucket !== bucket) throw error('NoSuchBucket', 404);
    if (input.IfNoneMatch === '*' && objects.has(input.Key)) throw error('PreconditionFailed', 412);
    objects.set(input.Key, Buffer.from(input.Body));
    return { ETag: '"etag"' };
  });
  return { objects, mock, json: (key) => JSON.parse(objects.get(key)?.toString('utf8') ?? 'null') };
}
