// A real S3-protocol server (s3rver, in-process, files in a temp dir) with one bucket, for the S3 evidence backend.
import { createRequire } from 'node:module';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { tempDir } from './fixtures.ts';

// s3rver ships no types; this is the part of its API the tests use (README: new S3rver(opts).run()/close()).
interface S3rverServer {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverCtor = new (o: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
}) => S3rverServer;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;

/** s3rver accepts any signature made with this key pair (its default account). */
export const S3RVER_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the objects (one dir per bucket). */
  directory: string;
  /** A client on the same server, for the tests' own look at the bucket. */
  client: S3Client;
  stop(): Promise<void>;
}

export async function startS3Server(bucket = 'matthan-evidence'): Promise<S3TestServer> {
  const directory = tempDir('matthan-s3-');
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { ...S3RVER_KEYS }, // a copy: the SDK tags the object it is given
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    bucket,
    directory,
    client,
    stop: async () => {
      client.destroy();
      await server.close();
    },
  };
}
