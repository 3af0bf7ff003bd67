// Builds the evidence blob backend that central config `evidence.store` names (files under evidence.dir, or S3).
import type { EvidenceBlobStore } from './evidence-blob-store.ts';
import type { EvidenceStoreConfig } from './evidence-store-schema.ts';
import { FsBlobStore } from './fs-blob-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

export function openBlobStore(store: EvidenceStoreConfig, dir: string): EvidenceBlobStore {
  if (store.kind === 'fs') return new FsBlobStore(dir);
  const s3 = store.s3;
  // checkCentralConfig refuses kind s3 without its block; this guards callers that skip the check.
  if (!s3) throw new Error('evidence.store.kind is "s3" but evidence.store.s3 is missing');
  return new S3BlobStore({
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    region: s3.region,
    bucket: s3.bucket,
    prefix: s3.prefix,
    forcePathStyle: s3.forcePathStyle,
    ...(s3.accessKeyId ? { accessKeyId: s3.accessKeyId } : {}),
    ...(s3.secretAccessKey ? { secretAccessKey: s3.secretAccessKey } : {}),
    partSizeBytes: s3.partSizeMiB * 1024 * 1024,
    queueSize: s3.queueSize,
  });
}
