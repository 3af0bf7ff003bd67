// Which event (and site) each evidence id belongs to, and the digest its event declared: bound at first sight.
import { ID_PATTERN, type MatthanEvent } from '../../contract/index.ts';
import { type Db, migrate } from './database.ts';

export const EVIDENCE_REF_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE evidence_refs (
    evidence_id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    site TEXT NOT NULL,
    camera TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX evidence_refs_event ON evidence_refs (event_id);
  `,
];

/** The event an evidence id was minted for: ids are `{eventId}_{kind}` (`_s`, `_sc`, `_v`, `_p...`). */
export const eventIdOfEvidence = (evidenceId: string): string => evidenceId.replace(/_[A-Za-z0-9]+$/, '');

export interface EvidenceRef {
  evidenceId: string;
  eventId: string;
  site: string;
  camera: string;
  kind: string;
  /** The sha256 (hex) an event of this id declared for the file, when one did. */
  sha256: string | null;
}

interface Row {
  evidence_id: string;
  event_id: string;
  site: string;
  camera: string;
  kind: string;
  sha256: string | null;
}

const toRef = (r: Row): EvidenceRef => ({
  evidenceId: r.evidence_id,
  eventId: r.event_id,
  site: r.site,
  camera: r.camera,
  kind: r.kind,
  sha256: r.sha256,
});

const ID_RE = new RegExp(ID_PATTERN);

/** The evidence ids an event names, with their kind and declared digest. */
function refsOf(event: MatthanEvent): { id: string; kind: string; sha256?: string }[] {
  const digests = event.evidenceSha256 ?? {};
  const out = Object.entries(event.evidence ?? {}).flatMap(([kind, id]) =>
    typeof id === 'string' ? [{ id, kind, sha256: digests[id] }] : [],
  );
  // A digest for an id the event does not name is still a claim about that id: it must agree too.
  for (const [id, sha256] of Object.entries(digests))
    if (ID_RE.test(id) && !out.some((r) => r.id === id)) out.push({ id, kind: 'declared', sha256 });
  return out;
}

export class EvidenceRefs {
  private readonly q;
  private storedDigest: ((id: string) => string | undefined) | undefined;

  constructor(private readonly db: Db) {
    migrate(db, 'evidence-refs', EVIDENCE_REF_MIGRATIONS);
    this.q = {
      get: db.prepare<[string], Row>('SELECT * FROM evidence_refs WHERE evidence_id = ?'),
      insert: db.prepare(
        `INSERT INTO evidence_refs (evidence_id, event_id, site, camera, kind, sha256, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (evidence_id) DO NOTHING`,
      ),
      fillDigest: db.prepare<[string, string]>(
        'UPDATE evidence_refs SET sha256 = ? WHERE evidence_id = ? AND sha256 IS NULL',
      ),
    };
  }

  get(evidenceId: string): EvidenceRef | undefined {
    const r = this.q.get.get(evidenceId);
    return r ? toRef(r) : undefined;
  }

  /**
   * Why this event's evidence claims contradict what was bound before (another event's file, or another digest),
   * or undefined. An evidence id belongs to the first event that names it: no other event, of any site, may
   * claim it, so no box can announce (and then upload) another's file.
   */
  conflict(event: MatthanEvent): string | undefined {
    for (const r of refsOf(event)) {
      const known = this.q.get.get(r.id);
      if (!known) continue;
      if (known.event_id !== event.id)
        return `evidence id ${r.id} belongs to event ${known.event_id} of ${known.site}/${known.camera}; event ${event.id} cannot claim it`;
      if (r.sha256 && known.sha256 && r.sha256 !== known.sha256)
        return `evidence ${r.id} was declared with sha256 ${known.sha256}; this message says ${r.sha256}`;
      // The file may have been uploaded before its digest was declared (the end came after the upload).
      const stored = r.sha256 ? this.stored(r.id) : undefined;
      if (r.sha256 && stored && stored !== r.sha256)
        return `evidence ${r.id} is stored with sha256 ${stored}; its event now declares ${r.sha256}`;
    }
    return undefined;
  }

  /** The sha256 of the stored file, when the evidence table (central/store/evidence-store.ts) holds one. */
  private stored(id: string): string | undefined {
    if (!this.storedDigest) {
      const exists = this.db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'evidence'")
        .get();
      if (!exists) return undefined;
      const q = this.db.prepare<[string], { sha256: string }>('SELECT sha256 FROM evidence WHERE id = ?');
      this.storedDigest = (x) => q.get(x)?.sha256;
    }
    return this.storedDigest(id);
  }

  /** Records the claims of a stored event (after conflict() found none). */
  record(event: MatthanEvent, nowMs: number): void {
    for (const r of refsOf(event)) {
      this.q.insert.run(r.id, event.id, event.site, event.camera, r.kind, r.sha256 ?? null, nowMs);
      if (r.sha256) this.q.fillDigest.run(r.sha256, r.id);
    }
  }
}
