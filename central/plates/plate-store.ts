// Plates of incidents in SQLite: the best machine read from the incident's events, reviewer corrections with who
// and when (the machine read stays), and search on the normalised form (30E586 finds 30E-586.70).
import type { PlateColour, PlateKind } from '../../contract/index.ts';
import { compactPlate } from '../../edge/plate/plate-grammar.ts';
import type { Db } from '../store/database.ts';

export interface IncidentPlate {
  /** The plate as it stands: the reviewer's correction, else the machine read (null: unreadable). */
  text: string | null;
  colour: PlateColour;
  /** Evidence id of the plate crop. */
  crop: string | null;
  machine: {
    text: string | null;
    confidence: number;
    colour: PlateColour;
    kind: PlateKind | null;
    reads: number;
    eventId: string;
    ts: number;
  };
  correction: { text: string; colour: PlateColour; by: string; at: number; note: string | null } | null;
}

export interface PlateCorrection {
  text: string;
  colour: PlateColour;
  previousText: string | null;
  by: string;
  note: string | null;
  at: number;
}

interface PlateRow {
  incident_id: string;
  machine_text: string | null;
  machine_confidence: number;
  machine_colour: PlateColour;
  machine_kind: PlateKind | null;
  machine_reads: number;
  machine_event_id: string;
  machine_ts: number;
  crop_id: string | null;
  corrected_text: string | null;
  corrected_colour: PlateColour | null;
  corrected_by: string | null;
  corrected_at: number | null;
  corrected_note: string | null;
}

const toPlate = (r: PlateRow): IncidentPlate => ({
  text: r.corrected_text ?? r.machine_text,
  colour: r.corrected_colour ?? r.machine_colour,
  crop: r.crop_id,
  machine: {
    text: r.machine_text,
    confidence: r.machine_confidence,
    colour: r.machine_colour,
    kind: r.machine_kind,
    reads: r.machine_reads,
    eventId: r.machine_event_id,
    ts: r.machine_ts,
  },
  correction:
    r.corrected_text !== null
      ? {
          text: r.corrected_text,
          colour: r.corrected_colour ?? r.machine_colour,
          by: r.corrected_by ?? '',
          at: r.corrected_at ?? 0,
          note: r.corrected_note,
        }
      : null,
});

/** LIKE wildcards in a search term are literal (the compact form has only A-Z0-9, but be strict). */
const likeTerm = (compact: string) => `%${compact.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class PlateStore {
  private readonly bestRead;
  private readonly upsertMachine;
  private readonly getRow;
  private readonly setCorrection;
  private readonly insertCorrection;
  private readonly historyOf;
  private readonly manyRows;

  constructor(private readonly db: Db) {
    // The best read an incident's events carry: a readable plate first, then the most confident, then the newest.
    // Messages after a verdict are kept but change nothing (the reviewed incident is frozen), the plate included.
    this.bestRead = db.prepare<[string], { id: string; ts: number; plate: string; crop: string | null }>(
      `SELECT id, ts, json_extract(payload, '$.plate') AS plate, json_extract(payload, '$.evidence.plate') AS crop
       FROM events WHERE incident_id = ? AND after_verdict = 0 AND json_extract(payload, '$.plate') IS NOT NULL
       ORDER BY json_extract(payload, '$.plate.text') IS NULL, json_extract(payload, '$.plate.confidence') DESC, ts DESC
       LIMIT 1`,
    );
    this.upsertMachine = db.prepare(
      `INSERT INTO incident_plates (incident_id, machine_text, machine_compact, machine_confidence, machine_colour,
         machine_kind, machine_reads, machine_event_id, machine_ts, crop_id, updated_at)
       VALUES (@incidentId, @text, @compact, @confidence, @colour, @kind, @reads, @eventId, @ts, @crop, @now)
       ON CONFLICT (incident_id) DO UPDATE SET machine_text = excluded.machine_text,
         machine_compact = excluded.machine_compact, machine_confidence = excluded.machine_confidence,
         machine_colour = excluded.machine_colour, machine_kind = excluded.machine_kind,
         machine_reads = excluded.machine_reads, machine_event_id = excluded.machine_event_id,
         machine_ts = excluded.machine_ts, crop_id = COALESCE(excluded.crop_id, crop_id), updated_at = excluded.updated_at`,
    );
    this.getRow = db.prepare<[string], PlateRow>('SELECT * FROM incident_plates WHERE incident_id = ?');
    this.setCorrection = db.prepare(
      `UPDATE incident_plates SET corrected_text = @text, corrected_compact = @compact, corrected_colour = @colour,
         corrected_by = @by, corrected_at = @now, corrected_note = @note, updated_at = @now WHERE incident_id = @incidentId`,
    );
    this.insertCorrection = db.prepare(
      `INSERT INTO plate_corrections (incident_id, text, colour, previous_text, corrector, note, created_at)
       VALUES (@incidentId, @text, @colour, @previous, @by, @note, @now)`,
    );
    this.historyOf = db.prepare<
      [string],
      {
        text: string;
        colour: PlateColour;
        previous_text: string | null;
        corrector: string;
        note: string | null;
        created_at: number;
      }
    >('SELECT * FROM plate_corrections WHERE incident_id = ? ORDER BY rowid');
    this.manyRows = (ids: readonly string[]) =>
      db
        .prepare(`SELECT * FROM incident_plates WHERE incident_id IN (${ids.map(() => '?').join(',')})`)
        .all(...ids) as PlateRow[];
  }

  /** Re-reads the best machine plate from the incident's events (after each stored message). */
  refresh(incidentId: string, now = Date.now()): void {
    const best = this.bestRead.get(incidentId);
    if (!best) return;
    const p = JSON.parse(best.plate) as {
      text?: string;
      confidence: number;
      colour: PlateColour;
      kind?: PlateKind;
      reads: number;
    };
    this.upsertMachine.run({
      incidentId,
      text: p.text ?? null,
      compact: p.text ? compactPlate(p.text) : null,
      confidence: p.confidence,
      colour: p.colour,
      kind: p.kind ?? null,
      reads: p.reads,
      eventId: best.id,
      ts: best.ts,
      crop: best.crop,
      now,
    });
  }

  get(incidentId: string): IncidentPlate | undefined {
    const r = this.getRow.get(incidentId);
    return r ? toPlate(r) : undefined;
  }

  /** Plates of many incidents at once (a page of the list). */
  many(ids: readonly string[]): Map<string, IncidentPlate> {
    if (ids.length === 0) return new Map();
    return new Map(this.manyRows(ids).map((r) => [r.incident_id, toPlate(r)]));
  }

  /**
   * A reviewer's correction; the machine read stays, each correction is kept. An incident without a machine
   * read (an older edge, plates off) gets its row here. Undefined when the incident does not exist.
   */
  correct(
    incidentId: string,
    c: { text: string; colour: PlateColour; by: string; note: string | null },
    now = Date.now(),
  ): IncidentPlate | undefined {
    return this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM incidents WHERE id = ?').get(incidentId);
      if (!exists) return undefined;
      let row = this.getRow.get(incidentId);
      if (!row) {
        this.upsertMachine.run({
          incidentId,
          text: null,
          compact: null,
          confidence: 0,
          colour: 'unknown',
          kind: null,
          reads: 0,
          eventId: incidentId,
          ts: now,
          crop: null,
          now,
        });
        row = this.getRow.get(incidentId)!;
      }
      const previous = row.corrected_text ?? row.machine_text;
      const params = { incidentId, ...c, compact: compactPlate(c.text), previous, now };
      this.setCorrection.run(params);
      this.insertCorrection.run(params);
      return toPlate(this.getRow.get(incidentId)!);
    })();
  }

  history(incidentId: string): PlateCorrection[] {
    return this.historyOf.all(incidentId).map((r) => ({
      text: r.text,
      colour: r.colour,
      previousText: r.previous_text,
      by: r.corrector,
      note: r.note,
      at: r.created_at,
    }));
  }

  /**
   * SQL condition (with its parameter) on incidents.id for a partial, normalised plate search: the current plate
   * or the machine read contains the term. Undefined for a term with no letter or digit.
   */
  static searchClause(query: string): { sql: string; params: { plateTerm: string } } | undefined {
    const compact = compactPlate(query);
    if (!compact) return undefined;
    return {
      sql: `id IN (SELECT incident_id FROM incident_plates WHERE COALESCE(corrected_compact, machine_compact) LIKE @plateTerm ESCAPE '\\' OR machine_compact LIKE @plateTerm ESCAPE '\\')`,
      params: { plateTerm: likeTerm(compact) },
    };
  }
}
