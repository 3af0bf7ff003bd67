// Why evidence is missing (the edge's capture failure, central's retention) and when a clip starts, per evidence id.
import { REVIEW_MIGRATIONS } from '../reviews/review-migrations.ts';
import { type Db, migrate } from './database.ts';

export type EvidenceNoteState = 'failed' | 'expired';

export interface EvidenceNote {
  state: EvidenceNoteState;
  reason: string;
  at: number;
}

export class EvidenceNotesStore {
  private readonly q;

  constructor(db: Db) {
    migrate(db, 'review', REVIEW_MIGRATIONS);
    this.q = {
      // A later expiry replaces a failure note; a failure never overwrites an expiry (the file did exist).
      note: db.prepare(
        `INSERT INTO evidence_notes (id, state, reason, at) VALUES (@id, @state, @reason, @at)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, reason = excluded.reason, at = excluded.at
         WHERE excluded.state = 'expired' OR evidence_notes.state <> 'expired'`,
      ),
      get: db.prepare<[string], { state: EvidenceNoteState; reason: string; at: number }>(
        'SELECT state, reason, at FROM evidence_notes WHERE id = ?',
      ),
      setStart: db.prepare(
        'INSERT INTO evidence_media (id, start_ms) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET start_ms = excluded.start_ms',
      ),
      start: db.prepare<[string], { start_ms: number | null }>(
        'SELECT start_ms FROM evidence_media WHERE id = ?',
      ),
    };
  }

  note(id: string, state: EvidenceNoteState, reason: string, at = Date.now()): void {
    this.q.note.run({ id, state, reason: reason.slice(0, 500), at });
  }

  get(id: string): EvidenceNote | undefined {
    return this.q.get.get(id);
  }

  setClipStart(id: string, startMs: number | null): void {
    this.q.setStart.run(id, startMs);
  }

  /** Wall-clock ms of the clip's first frame; undefined when unknown (older edges, not probed yet). */
  clipStart(id: string): number | undefined {
    return this.q.start.get(id)?.start_ms ?? undefined;
  }
}
