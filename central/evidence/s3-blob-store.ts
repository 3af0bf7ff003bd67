// Evidence blobs as objects in an S3-compatible bucket (MinIO, Ceph RGW, a cloud bucket): streamed multipart uploads.
import { randomUUID } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { byteWindow } from './byte-window.ts';
import {
  type BlobDigests,
  type BlobRange,
  EvidenceBlobIntegrityError,
  EvidenceBlobMissingError,
  type EvidenceBlobStore,
  type StagedBlob,
} from './evidence-blob-store.ts';

export interface S3BlobStoreOptions {
  /** Service URL (http://minio:9000); omitted: the AWS endpoint of `region`. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Key prefix, e.g. 'matthan/evidence/' ('' = the bucket root). */
  prefix: string;
  /** Path-style URLs (endpoint/bucket/key), which MinIO and most self-hosted stores need. */
  forcePathStyle: boolean;
  /** Omitted: the SDK's default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Multipart part size; the upload holds at most queueSize parts in memory. S3 minimum 5 MiB. */
  partSizeBytes?: number;
  /** Parts in flight at once per upload. */
  queueSize?: number;
}

/** Staged uploads live under this sub-prefix; a bucket lifecycle rule may expire it (docs/DEPLOYMENT.md). */
export const S3_STAGING_DIR = '.staging/';
const DEFAULT_PART_BYTES = 5 * 1024 * 1024;

const isNotFound = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
};

export class S3BlobStore implements EvidenceBlobStore {
  readonly kind = 's3';
  readonly client: S3Client;
  private readonly prefix: string;

  constructor(private readonly o: S3BlobStoreOptions) {
    this.prefix = o.prefix === '' || o.prefix.endsWith('/') ? o.prefix : `${o.prefix}/`;
    this.client = new S3Client({
      region: o.region,
      forcePathStyle: o.forcePathStyle,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.accessKeyId && o.secretAccessKey
        ? { credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } }
        : {}),
      // Checksums only where S3 demands them: the SDK's default CRC32 trailers (aws-chunked encoding) are refused
      // by many S3-compatible stores. Integrity is central's own sha256 over the streamed bytes, kept as metadata.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** The object key of an id (ids match the contract pattern, so they are safe in a key). */
  keyOf(id: string): string {
    return `${this.prefix}${id.slice(0, 2)}/${id}`;
  }

  async stage(id: string, contentType: string, body: Readable): Promise<StagedBlob> {
    const tempKey = `${this.prefix}${S3_STAGING_DIR}${id}.${randomUUID()}`;
    // lib-storage: one PutObject for a body under one part, else a multipart upload aborted on error. Memory stays
    // within queueSize × partSize whatever the file's size.
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.o.bucket, Key: tempKey, Body: body, ContentType: contentType },
      partSize: this.o.partSizeBytes ?? DEFAULT_PART_BYTES,
      queueSize: this.o.queueSize ?? 2,
      leavePartsOnError: false,
    });
    let bodyError: unknown;
    body.once('error', (err) => {
      bodyError = err;
    });
    try {
      await upload.done();
    } catch (err) {
      // The body's own error (too large, client gone) says more than the SDK's wrapper of it.
      throw bodyError ?? err;
    }
    if (bodyError) {
      await this.deleteKey(tempKey);
      throw bodyError;
    }
    return { tempKey };
  }

  async commit(staged: StagedBlob, id: string, d: BlobDigests): Promise<void> {
    // A server-side copy: the bytes never come back through central. The digests ride along as object metadata
    // (x-amz-meta-sha256 / -sha1) so the bucket alone says what each object should hash to.
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.o.bucket,
        Key: this.keyOf(id),
        CopySource: `${this.o.bucket}/${staged.tempKey.split('/').map(encodeURIComponent).join('/')}`,
        MetadataDirective: 'REPLACE',
        ContentType: d.contentType,
        Metadata: { sha256: d.sha256, sha1: d.sha1 },
      }),
    );
  }

  async discard(staged: StagedBlob): Promise<void> {
    await this.deleteKey(staged.tempKey);
  }

  async read(id: string, range?: BlobRange, expectSha256?: string): Promise<Readable> {
    let res: GetObjectCommandOutput;
    try {
      res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.o.bucket,
          Key: this.keyOf(id),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
    } catch (err) {
      if (isNotFound(err)) throw new EvidenceBlobMissingError(`no object for evidence ${id}`);
      throw err;
    }
    const body = res.Body as Readable;
    const kept = res.Metadata?.sha256;
    if (expectSha256 && kept !== expectSha256) {
      body.destroy();
      throw new EvidenceBlobIntegrityError(
        `object ${this.keyOf(id)} carries sha256 ${kept ?? 'none'}, central recorded ${expectSha256}`,
      );
    }
    if (!range) return body;
    // What the server sent: its Content-Range start (absent = it ignored Range and sent everything from 0).
    const servedStart = Number(/^bytes (\d+)-/.exec(res.ContentRange ?? '')?.[1] ?? 0);
    const servedLength = res.ContentLength ?? Number.POSITIVE_INFINITY;
    const wanted = range.end - range.start + 1;
    if (servedStart === range.start && servedLength === wanted) return body;
    const window = byteWindow(range.start - servedStart, wanted);
    return pipeline(body, window, (err) => {
      // Ending the window early closes the source with ERR_STREAM_PREMATURE_CLOSE: expected, not a failure.
      if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') window.destroy(err);
    });
  }

  async *ids(): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: this.prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        const rest = (o.Key ?? '').slice(this.prefix.length);
        const m = /^[^/]{2}\/([^/]+)$/.exec(rest);
        if (m && !rest.startsWith(S3_STAGING_DIR)) yield m[1]!;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async remove(id: string): Promise<void> {
    await this.deleteKey(this.keyOf(id));
  }

  async sweepStaged(olderThanMs: number): Promise<number> {
    // Other central processes may be uploading into the same bucket: only staged objects older than any upload.
    const before = Date.now() - olderThanMs;
    let n = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.o.bucket,
          Prefix: `${this.prefix}${S3_STAGING_DIR}`,
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? [])
        if (o.Key && (o.LastModified?.getTime() ?? 0) < before) {
          await this.deleteKey(o.Key);
          n++;
        }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return n;
  }

  localFile(): undefined {
    return undefined;
  }

  private async deleteKey(key: string): Promise<void> {
    // DeleteObject of a missing key succeeds on S3 (204); a 404 from a stricter store means the same.
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: key }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
