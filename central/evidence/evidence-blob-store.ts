// Where evidence bytes live (local files or an S3 bucket), behind the one interface the evidence store writes through.
import type { Readable } from 'node:stream';

/** Bytes written under a temporary name while they were hashed; not visible under their id until committed. */
export interface StagedBlob {
  /** The temporary name (a file path or an object key); opaque outside its blob store. */
  readonly tempKey: string;
}

/** What a committed blob carries besides its bytes (kept as S3 object metadata, so the bucket is self-describing). */
export interface BlobDigests {
  contentType: string;
  sha256: string;
  sha1: string;
}

/** An inclusive byte range (RFC 9110 §14.1.2), as parsed from an HTTP Range header. */
export interface BlobRange {
  start: number;
  end: number;
}

/** The blob of an id is not (or no longer) there: deleted by retention, or its upload never completed. */
export class EvidenceBlobMissingError extends Error {
  readonly statusCode = 404;
}

/** The blob under an id does not carry the digest central recorded: never serve it as that evidence. */
export class EvidenceBlobIntegrityError extends Error {
  readonly statusCode = 500;
}

/**
 * A blob backend. The evidence store decides which upload of an id wins (its metadata row insert); the backend only
 * stages bytes, makes the winner's visible and serves and deletes them. Every implementation passes the abstract
 * suite in test/integration/evidence-store-contract.test.ts.
 */
export interface EvidenceBlobStore {
  readonly kind: 'fs' | 's3';
  /** Streams a body to a temporary name (never the whole body in memory); rejects with the body's error. */
  stage(id: string, contentType: string, body: Readable): Promise<StagedBlob>;
  /** Makes staged bytes the blob of `id`, replacing a leftover; only the upload whose row insert won calls it. */
  commit(staged: StagedBlob, id: string, digests: BlobDigests): Promise<void>;
  /** Deletes a staged blob (committed or not); a missing one is fine. */
  discard(staged: StagedBlob): Promise<void>;
  /**
   * The bytes of `id`, whole or one range. `expectSha256` is the recorded digest: a backend that keeps it beside the
   * bytes refuses a blob whose kept digest differs (EvidenceBlobIntegrityError). Missing: EvidenceBlobMissingError.
   */
  read(id: string, range?: BlobRange, expectSha256?: string): Promise<Readable>;
  /** Ids with a committed blob (for the startup check of rows against blobs). */
  ids(): AsyncIterable<string>;
  /** Deletes the blob of `id`; a missing one is fine. */
  remove(id: string): Promise<void>;
  /** Deletes staged blobs left by uploads cut off by a crash, older than `olderThanMs`; returns how many. */
  sweepStaged(olderThanMs: number): Promise<number>;
  /** The local file of `id` when the backend is a filesystem (ffprobe and zip read it in place), else undefined. */
  localFile(id: string): string | undefined;
}
