// Evidence files on disk (one per id, written atomically) with their metadata in SQLite; paths never leave the dir.
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ID_PATTERN } from '../../contract/index.ts';
import { type Db, migrate } from './database.ts';

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
];

export const EVIDENCE_CONTENT_TYPES = ['image/jpeg', 'video/mp4'] as const;
export type EvidenceContentType = (typeof EVIDENCE_CONTENT_TYPES)[number];

export interface EvidenceMeta {
  id: string;
  contentType: string;
  bytes: number;
  sha256: string;
  createdAt: number;
}

export class EvidenceIdError extends Error {
  readonly statusCode = 400;
}

export class EvidenceTooLargeError extends Error {
  readonly statusCode = 413;
}

const ID_RE = new RegExp(ID_PATTERN);

interface Row {
  id: string;
  content_type: string;
  bytes: number;
  sha256: string;
  created_at: number;
}
const toMeta = (r: Row): EvidenceMeta => ({
  id: r.id,
  contentType: r.content_type,
  bytes: r.bytes,
  sha256: r.sha256,
  createdAt: r.created_at,
});

export class EvidenceStore {
  readonly dir: string;
  private readonly q;
  private tmpCounter = 0;

  constructor(
    db: Db,
    dir: string,
    private readonly nowMs: () => number = Date.now,
    /** Largest accepted file; a 1080p 10 s clip is ~4 MB. */
    readonly maxBytes = 200_000_000,
  ) {
    this.dir = path.resolve(dir);
    mkdirSync(this.dir, { recursive: true });
    this.sweepPartials();
    migrate(db, 'evidence', EVIDENCE_MIGRATIONS);
    this.q = {
      get: db.prepare('SELECT * FROM evidence WHERE id = ?'),
      insert: db.prepare(
        'INSERT INTO evidence (id, content_type, bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      remove: db.prepare('DELETE FROM evidence WHERE id = ?'),
      all: db.prepare('SELECT * FROM evidence ORDER BY created_at, id'),
      totals: db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS bytes FROM evidence'),
    };
  }

  /**
   * The file of an id. The id is checked against the contract pattern (no '/', '.', or '\\') and the
   * resolved path must stay under the evidence dir, so no request can read or write outside it.
   */
  pathOf(id: string): string {
    if (!ID_RE.test(id))
      throw new EvidenceIdError(`evidence id ${JSON.stringify(id)} must match ${ID_PATTERN}`);
    const file = path.resolve(this.dir, id.slice(0, 2), id);
    if (!file.startsWith(this.dir + path.sep))
      throw new EvidenceIdError(`evidence id ${JSON.stringify(id)} escapes the evidence dir`);
    return file;
  }

  /** Temp files of uploads cut off by a crash never became visible; delete them at startup. */
  private sweepPartials(): void {
    for (const sub of readdirSync(this.dir, { withFileTypes: true })) {
      if (!sub.isDirectory()) continue;
      for (const name of readdirSync(path.join(this.dir, sub.name)))
        if (name.endsWith('.part')) rmSync(path.join(this.dir, sub.name, name), { force: true });
    }
  }

  get(id: string): (EvidenceMeta & { file: string }) | undefined {
    const r = this.q.get.get(id) as Row | undefined;
    return r ? { ...toMeta(r), file: this.pathOf(id) } : undefined;
  }

  /**
   * Stores a body under an id, idempotently: a second upload of an existing id is read and discarded
   * (created=false), so an edge retrying after a lost response never doubles or corrupts a file.
   * The file is written to a temp name and renamed, so a torn upload never becomes visible.
   */
  async put(
    id: string,
    contentType: EvidenceContentType,
    body: Readable,
  ): Promise<{ created: boolean; meta: EvidenceMeta }> {
    const file = this.pathOf(id);
    const existing = this.q.get.get(id) as Row | undefined;
    if (existing) {
      body.resume();
      await new Promise<void>((resolve, reject) => {
        body.once('end', resolve);
        body.once('error', reject);
      });
      return { created: false, meta: toMeta(existing) };
    }
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${++this.tmpCounter}.part`;
    const hash = createHash('sha256');
    let bytes = 0;
    const maxBytes = this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        if (bytes > maxBytes)
          return cb(new EvidenceTooLargeError(`evidence ${id} exceeds ${maxBytes} bytes`));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(tmp));
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    if (bytes === 0) {
      rmSync(tmp, { force: true });
      throw new EvidenceIdError(`evidence ${id}: empty body`);
    }
    renameSync(tmp, file);
    const meta: EvidenceMeta = {
      id,
      contentType,
      bytes,
      sha256: hash.digest('hex'),
      createdAt: this.nowMs(),
    };
    const r = this.q.insert.run(meta.id, meta.contentType, meta.bytes, meta.sha256, meta.createdAt);
    // Two concurrent uploads of one id: the first row wins; both wrote the same bytes to the same name.
    if (r.changes === 0) return { created: false, meta: toMeta(this.q.get.get(id) as Row) };
    return { created: true, meta };
  }

  /** Deletes the row and the file; true when something was there. */
  remove(id: string): boolean {
    const changed = this.q.remove.run(id).changes > 0;
    rmSync(this.pathOf(id), { force: true });
    return changed;
  }

  list(): EvidenceMeta[] {
    return (this.q.all.all() as Row[]).map(toMeta);
  }

  totals(): { count: number; bytes: number } {
    const t = this.q.totals.get() as { n: number; bytes: number };
    return { count: t.n, bytes: t.bytes };
  }

  /** Size check of the file behind a row (the route streams it). */
  fileSize(id: string): number {
    return statSync(this.pathOf(id)).size;
  }
}
