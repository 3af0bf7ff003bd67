// Evidence metadata in SQLite (sha256, quota, retention) over a blob backend (files or S3); one winner per id.
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline as pipe, type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ID_PATTERN } from '../../contract/index.ts';
import {
  type BlobRange,
  EvidenceBlobMissingError,
  type EvidenceBlobStore,
} from '../evidence/evidence-blob-store.ts';
import { FsBlobStore } from '../evidence/fs-blob-store.ts';
import { type Db, migrate } from './database.ts';
import { type EvidenceRefs, eventIdOfEvidence } from './evidence-refs.ts';

export const EVIDENCE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX evidence_created ON evidence (created_at);
  `,
  // CAP 1.2 §3.2.3 resource/digest is SHA-1 of the file; kept beside the sha256 so alerts need no re-read.
  'ALTER TABLE evidence ADD COLUMN sha1 TEXT;',
];

export const EVIDENCE_CONTENT_TYPES = ['image/jpeg', 'video/mp4'] as const;
export type EvidenceContentType = (typeof EVIDENCE_CONTENT_TYPES)[number];

export interface EvidenceMeta {
  id: string;
  contentType: string;
  bytes: number;
  sha256: string;
  /** SHA-1 hex, for CAP's resource digest (null for files stored before it was kept). */
  sha1: string | null;
  createdAt: number;
}

export class EvidenceIdError extends Error {
  readonly statusCode = 400;
}

export class EvidenceTooLargeError extends Error {
  readonly statusCode = 413;
}

/**
 * The upload is refused for who sent it or what it holds (403 another site, 409 not yet or taken, 410 its event was
 * refused so no event will ever name it, 422 digest).
 */
export class EvidenceRefusedError extends Error {
  constructor(
    readonly statusCode: 403 | 409 | 410 | 422,
    message: string,
  ) {
    super(message);
  }
}

export interface EvidenceUploader {
  /** The site of the uploading box (its edge token's); required when evidence ids are bound to events. */
  site?: string;
}

const ID_RE = new RegExp(ID_PATTERN);

interface Row {
  id: string;
  content_type: string;
  bytes: number;
  sha256: string;
  sha1: string | null;
  created_at: number;
}
const toMeta = (r: Row): EvidenceMeta => ({
  id: r.id,
  contentType: r.content_type,
  bytes: r.bytes,
  sha256: r.sha256,
  sha1: r.sha1,
  createdAt: r.created_at,
});

/** A stored file's metadata; `file` is its local path when the blob backend is the filesystem. */
export type StoredEvidence = EvidenceMeta & { file: string | undefined };

export class EvidenceStore {
  readonly blobs: EvidenceBlobStore;
  private readonly q;

  constructor(
    db: Db,
    /** A directory (the filesystem backend) or any blob backend (S3). */
    blobs: string | EvidenceBlobStore,
    private readonly nowMs: () => number = Date.now,
    /** Largest accepted file; a 1080p 10 s clip is ~4 MB. */
    readonly maxBytes = 200_000_000,
    /**
     * Evidence ids bound to the events that named them. With it, an upload is accepted only from a box of the
     * event's site, and only with the digest the event declared.
     */
    private readonly refs?: EvidenceRefs,
    /** Why central refused (quarantined) the event of this id from this site, if it did. */
    private readonly refusedEvent?: (eventId: string, site: string) => string | undefined,
  ) {
    this.blobs = typeof blobs === 'string' ? new FsBlobStore(blobs) : blobs;
    migrate(db, 'evidence', EVIDENCE_MIGRATIONS);
    this.q = {
      get: db.prepare('SELECT * FROM evidence WHERE id = ?'),
      insert: db.prepare(
        'INSERT INTO evidence (id, content_type, bytes, sha256, sha1, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      remove: db.prepare('DELETE FROM evidence WHERE id = ?'),
      all: db.prepare('SELECT * FROM evidence ORDER BY created_at, id'),
      totals: db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS bytes FROM evidence'),
      db,
    };
  }

  /** The id checked against the contract pattern (no '/', '.', or '\\'), so it is safe as a file name and a key. */
  checkId(id: string): string {
    if (!ID_RE.test(id))
      throw new EvidenceIdError(`evidence id ${JSON.stringify(id)} must match ${ID_PATTERN}`);
    return id;
  }

  /**
   * Startup repair, before serving: deletes staged blobs of uploads cut off by a crash (older than
   * `stagedMaxAgeMs`, so another process's upload in flight is spared) and forgets rows whose blob never appeared
   * (a crash between the row and the commit), so the edge can upload them again.
   */
  async recover(stagedMaxAgeMs = 3_600_000): Promise<{ staged: number; orphans: number }> {
    const staged = await this.blobs.sweepStaged(stagedMaxAgeMs);
    const present = new Set<string>();
    for await (const id of this.blobs.ids()) present.add(id);
    let orphans = 0;
    for (const r of this.q.all.all() as Row[])
      if (!present.has(r.id)) orphans += this.q.remove.run(r.id).changes;
    return { staged, orphans };
  }

  get(id: string): StoredEvidence | undefined {
    const r = this.q.get.get(id) as Row | undefined;
    return r ? { ...toMeta(r), file: this.blobs.localFile(this.checkId(id)) } : undefined;
  }

  /**
   * Stores a body under an id. With evidence refs, only for an id a stored event of the uploader's site names
   * (409 while none does yet, 403 for another site) and only with the digest the event declared (422).
   *
   * Creation is exclusive: the body is staged under a temp name while it is hashed, then the row is inserted, and
   * only the upload whose insert won commits its blob under the id (link(2) on disk, a server-side copy in S3).
   * A concurrent upload of the same id finds the row taken and discards its copy, so the stored digest is always
   * that of the served bytes. A repeated upload with the same bytes is a no-op (created=false); with other bytes
   * it is refused (409).
   */
  async put(
    id: string,
    contentType: EvidenceContentType,
    body: Readable,
    uploader: EvidenceUploader = {},
  ): Promise<{ created: boolean; meta: EvidenceMeta }> {
    this.checkId(id);
    if (this.refs) {
      const ref = this.refs.get(id);
      if (!ref) {
        const eventId = eventIdOfEvidence(id);
        const refused = uploader.site !== undefined ? this.refusedEvent?.(eventId, uploader.site) : undefined;
        if (refused !== undefined)
          throw new EvidenceRefusedError(
            410,
            `evidence ${id}: central refused its event ${eventId} (${refused.slice(0, 200)}); no event will name it`,
          );
        throw new EvidenceRefusedError(409, `no stored event names evidence ${id} (yet); retry later`);
      }
      if (uploader.site !== ref.site)
        throw new EvidenceRefusedError(
          403,
          `evidence ${id} belongs to an event of site ${ref.site}; this token uploads for ${uploader.site ?? 'no site'}`,
        );
    }
    const sha256 = createHash('sha256');
    const sha1 = createHash('sha1');
    let bytes = 0;
    const maxBytes = this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        if (bytes > maxBytes)
          return cb(new EvidenceTooLargeError(`evidence ${id} exceeds ${maxBytes} bytes`));
        sha256.update(chunk);
        sha1.update(chunk);
        cb(null, chunk);
      },
    });
    const metered = pipe(body, meter, () => {
      // Nothing to do here: an error of the request (client gone) or of the meter (too large) destroys the meter,
      // which the backend is reading, so its stage() rejects with it.
    });
    const staged = await this.blobs.stage(id, contentType, metered);
    try {
      if (bytes === 0) throw new EvidenceIdError(`evidence ${id}: empty body`);
      const meta: EvidenceMeta = {
        id,
        contentType,
        bytes,
        sha256: sha256.digest('hex'),
        sha1: sha1.digest('hex'),
        createdAt: this.nowMs(),
      };
      const declared = this.refs?.get(id)?.sha256;
      if (declared && declared !== meta.sha256)
        throw new EvidenceRefusedError(
          422,
          `evidence ${id}: the event declared sha256 ${declared}, the uploaded bytes have ${meta.sha256}`,
        );
      const inserted =
        this.q.insert.run(meta.id, meta.contentType, meta.bytes, meta.sha256, meta.sha1, meta.createdAt)
          .changes > 0;
      if (!inserted) {
        const existing = toMeta(this.q.get.get(id) as Row);
        if (existing.sha256 !== meta.sha256)
          throw new EvidenceRefusedError(
            409,
            `evidence ${id} is already stored with sha256 ${existing.sha256}`,
          );
        return { created: false, meta: existing };
      }
      try {
        await this.blobs.commit(staged, id, { contentType, sha256: meta.sha256, sha1: meta.sha1! });
      } catch (err) {
        this.q.remove.run(id);
        throw err;
      }
      return { created: true, meta };
    } finally {
      await this.blobs.discard(staged);
    }
  }

  /**
   * The bytes of a stored file, whole or one range. EvidenceBlobMissingError when no row or no blob (events name
   * evidence before it is uploaded, and retention deletes it).
   */
  async open(id: string, range?: BlobRange): Promise<Readable> {
    const r = this.q.get.get(this.checkId(id)) as Row | undefined;
    if (!r) throw new EvidenceBlobMissingError(`no evidence ${id}`);
    return this.blobs.read(id, range, r.sha256);
  }

  /** A whole file in memory: only for small ones (a snapshot for a PDF). */
  async readAll(id: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.open(id)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * Runs `fn` on a local file of the evidence (ffprobe needs to seek): in place on the filesystem backend, else a
   * temporary download deleted afterwards.
   */
  async withLocalFile<T>(id: string, fn: (file: string) => Promise<T>): Promise<T> {
    const local = this.blobs.localFile(this.checkId(id));
    if (local) return fn(local);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'matthan-evidence-'));
    try {
      const file = path.join(dir, id);
      await pipeline(await this.open(id), createWriteStream(file));
      return await fn(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Deletes the blob, then the row (a crash between leaves a row recover() forgets); true when a row was there. */
  async remove(id: string): Promise<boolean> {
    await this.blobs.remove(this.checkId(id));
    return this.q.remove.run(id).changes > 0;
  }

  list(): EvidenceMeta[] {
    return (this.q.all.all() as Row[]).map(toMeta);
  }

  /**
   * Every file with whether it is held: named by an event of a confirmed incident (through the evidence refs).
   * Without refs nothing is held.
   */
  retentionItems(): (EvidenceMeta & { held: boolean })[] {
    if (!this.refs) return this.list().map((m) => ({ ...m, held: false }));
    const rows = this.q.db
      .prepare<[], Row & { held: number }>(
        `SELECT e.*, EXISTS (
           SELECT 1 FROM evidence_refs r JOIN events ev ON ev.id = r.event_id JOIN incidents i ON i.id = ev.incident_id
           WHERE r.evidence_id = e.id AND i.status = 'confirmed') AS held
         FROM evidence e ORDER BY e.created_at, e.id`,
      )
      .all();
    return rows.map((r) => ({ ...toMeta(r), held: r.held === 1 }));
  }

  totals(): { count: number; bytes: number } {
    const t = this.q.totals.get() as { n: number; bytes: number };
    return { count: t.n, bytes: t.bytes };
  }
}
