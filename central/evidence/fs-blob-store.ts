// Evidence blobs as files under one directory: <dir>/<first two id chars>/<id>, created by link(2) from a temp file.
import {
  createReadStream,
  createWriteStream,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type BlobRange,
  EvidenceBlobMissingError,
  type EvidenceBlobStore,
  type StagedBlob,
} from './evidence-blob-store.ts';

const PART_SUFFIX = '.part';

export class FsBlobStore implements EvidenceBlobStore {
  readonly kind = 'fs';
  readonly dir: string;
  private tmpCounter = 0;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    mkdirSync(this.dir, { recursive: true });
    // One process owns a directory: any temp file at startup is a crash leftover, whatever its age.
    this.sweepStagedSync(0);
  }

  /**
   * The file of an id. Ids reach here checked against the contract pattern (no '/', '.', or '\\'); the resolved
   * path must also stay under the dir, so no request can read or write outside it.
   */
  pathOf(id: string): string {
    const file = path.resolve(this.dir, id.slice(0, 2), id);
    if (!file.startsWith(this.dir + path.sep))
      throw new Error(`evidence id ${JSON.stringify(id)} escapes the evidence dir`);
    return file;
  }

  async stage(id: string, _contentType: string, body: Readable): Promise<StagedBlob> {
    const file = this.pathOf(id);
    mkdirSync(path.dirname(file), { recursive: true });
    const tempKey = `${file}.${process.pid}.${++this.tmpCounter}${PART_SUFFIX}`;
    // Opened here, before any byte: the name exists now, so removing it on failure cannot race the stream's own
    // asynchronous open (which would recreate it after the removal when the body fails at once).
    const out = createWriteStream('', { fd: openSync(tempKey, 'wx') });
    try {
      await pipeline(body, out);
    } catch (err) {
      rmSync(tempKey, { force: true });
      throw err;
    }
    return { tempKey };
  }

  async commit(staged: StagedBlob, id: string): Promise<void> {
    const file = this.pathOf(id);
    // A file without a row is a leftover of a crash before its row; the row is the caller's now, so is the name.
    rmSync(file, { force: true });
    linkSync(staged.tempKey, file);
  }

  async discard(staged: StagedBlob): Promise<void> {
    rmSync(staged.tempKey, { force: true });
  }

  async read(id: string, range?: BlobRange): Promise<Readable> {
    const file = this.pathOf(id);
    if (!existsSync(file)) throw new EvidenceBlobMissingError(`no file for evidence ${id}`);
    return createReadStream(file, range ? { start: range.start, end: range.end } : {});
  }

  async *ids(): AsyncIterable<string> {
    for (const sub of readdirSync(this.dir, { withFileTypes: true })) {
      if (!sub.isDirectory()) continue;
      for (const name of readdirSync(path.join(this.dir, sub.name)))
        if (!name.endsWith(PART_SUFFIX)) yield name;
    }
  }

  async remove(id: string): Promise<void> {
    rmSync(this.pathOf(id), { force: true });
  }

  async sweepStaged(olderThanMs: number): Promise<number> {
    return this.sweepStagedSync(olderThanMs);
  }

  private sweepStagedSync(olderThanMs: number): number {
    let n = 0;
    const before = Date.now() - olderThanMs;
    for (const sub of readdirSync(this.dir, { withFileTypes: true })) {
      if (!sub.isDirectory()) continue;
      for (const name of readdirSync(path.join(this.dir, sub.name))) {
        const f = path.join(this.dir, sub.name, name);
        if (name.endsWith(PART_SUFFIX) && (olderThanMs === 0 || statSync(f).mtimeMs < before)) {
          rmSync(f, { force: true });
          n++;
        }
      }
    }
    return n;
  }

  localFile(id: string): string {
    return this.pathOf(id);
  }
}
