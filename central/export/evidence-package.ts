// Evidence packages as a streamed zip (fflate): per incident its snapshots, clip, plate crop, JSON record, PDF and
// SHA256SUMS; for a selection, one folder per incident and an index.

import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { EvidenceBlobMissingError } from '../evidence/evidence-blob-store.ts';
import type { WorkstationDetail } from '../reviews/review-workstation.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';

/** File name in the package for each evidence kind (kinds not listed keep their own name). */
export const EVIDENCE_FILE_NAMES: Record<string, string> = {
  snapshot: 'snapshot-annotated.jpg',
  snapshotClean: 'snapshot-clean.jpg',
  best: 'best-frame-annotated.jpg',
  clip: 'clip.mp4',
  plate: 'plate-crop.jpg',
  plateCrop: 'plate-crop.jpg',
};

const extOf = (contentType: string | undefined) => (contentType === 'video/mp4' ? 'mp4' : 'jpg');

/** The package's name for one evidence reference. */
export function evidenceFileName(kind: string, contentType: string | undefined): string {
  return EVIDENCE_FILE_NAMES[kind] ?? `${kind.replace(/[^A-Za-z0-9_-]/g, '_')}.${extOf(contentType)}`;
}

export interface PackageEntry {
  detail: WorkstationDetail;
  /** The JSON record (the detail plus export facts) and the printed page. */
  record: unknown;
  pdf: Buffer;
}

/**
 * A zip writer onto a Node stream that respects backpressure: each chunk waits for the stream to drain, so a
 * slow client never makes central buffer a whole selection of clips.
 */
class ZipWriter {
  readonly out = new PassThrough();
  private readonly zip: Zip;
  private failed: Error | undefined;

  constructor() {
    this.zip = new Zip((err, data, final) => {
      if (err) {
        this.failed = err;
        this.out.destroy(err);
        return;
      }
      this.out.write(data);
      if (final) this.out.end();
    });
  }

  private async drain(): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }

  async text(name: string, body: string | Buffer): Promise<void> {
    const f = new ZipDeflate(name, { level: 6 });
    this.zip.add(f);
    f.push(typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body), true);
    await this.drain();
  }

  /** Already-compressed media are stored, not deflated again. */
  async file(name: string, body: Readable): Promise<void> {
    const f = new ZipPassThrough(name);
    this.zip.add(f);
    for await (const chunk of body) {
      f.push(new Uint8Array(chunk as Buffer));
      await this.drain();
    }
    f.push(new Uint8Array(0), true);
    await this.drain();
  }

  end(): void {
    this.zip.end();
  }
}

/** Writes one incident's files under `dir/` (no prefix when dir is empty); returns its SHA256SUMS lines. */
async function writeIncident(
  w: ZipWriter,
  entry: PackageEntry,
  evidence: EvidenceStore | undefined,
  dir: string,
) {
  const p = (n: string) => (dir ? `${dir}/${n}` : n);
  const sums: string[] = [];
  const used = new Set<string>();
  for (const [kind, st] of Object.entries(entry.detail.evidenceStatus)) {
    if (st.state !== 'available' || !evidence) continue;
    const meta = evidence.get(st.id);
    if (!meta) continue; // deleted between the detail and now: the record says what it was
    let body: Readable;
    try {
      body = await evidence.open(st.id);
    } catch (err) {
      if (err instanceof EvidenceBlobMissingError) continue; // likewise, between its row and its blob
      throw err;
    }
    let name = evidenceFileName(kind, meta.contentType);
    if (used.has(name)) name = `${kind}-${name}`;
    used.add(name);
    await w.file(p(name), body);
    sums.push(`${meta.sha256}  ${name}`);
  }
  await w.text(p('record.json'), `${JSON.stringify(entry.record, null, 2)}\n`);
  await w.text(p('record.pdf'), entry.pdf);
  await w.text(p('SHA256SUMS'), `${sums.join('\n')}\n`);
}

/**
 * Streams a package. One entry: its files at the root. Several: one folder per incident id and index.json.
 * `entries` is a generator so a large selection is built (PDFs rendered) one incident at a time.
 */
export function evidencePackage(
  entries: AsyncIterable<PackageEntry>,
  evidence: EvidenceStore | undefined,
  opts: { single: boolean; index?: () => unknown },
): PassThrough {
  const w = new ZipWriter();
  void (async () => {
    try {
      for await (const e of entries) await writeIncident(w, e, evidence, opts.single ? '' : e.detail.id);
      if (!opts.single && opts.index)
        await w.text('index.json', `${JSON.stringify(opts.index(), null, 2)}\n`);
      w.end();
    } catch (err) {
      w.out.destroy(err as Error);
    }
  })();
  return w.out;
}
