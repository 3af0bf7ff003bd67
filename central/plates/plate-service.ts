// Plate corrections as a service: validates the reviewer's text, stores it and tells listeners (forwarders, live).
import { PLATE_COLOURS, type PlateColour } from '../../contract/index.ts';
import { parsePlate } from '../../edge/plate/plate-grammar.ts';
import type { Logger } from '../../lib/log.ts';
import type { IncidentPlate, PlateStore } from './plate-store.ts';

export type CorrectionResult =
  | { ok: true; plate: IncidentPlate }
  | { ok: false; status: 400 | 404; message: string };

export class PlateService {
  private readonly listeners = new Set<(incidentId: string) => void>();

  constructor(
    readonly store: PlateStore,
    private readonly log?: Logger,
  ) {}

  /** Called after each stored correction; returns the unsubscribe function. */
  onCorrection(listener: (incidentId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The text must be a Vietnamese plate (the same grammar as the edge, so `30e 586 70` is stored as
   * `30E-586.70`); a plate the grammar does not know (foreign, new series) is taken with `freeForm`.
   */
  correct(
    incidentId: string,
    body: { text: string; colour?: PlateColour; note?: string; freeForm?: boolean },
    by: string,
  ): CorrectionResult {
    const raw = body.text.trim().toUpperCase();
    const lines = raw.split(/\s*\/\s*|\n/);
    const parsed = parsePlate(lines.length === 2 ? lines : [raw]);
    let text: string;
    if (parsed.ok) text = parsed.text;
    else if (body.freeForm && /^[0-9A-ZĐ][0-9A-ZĐ. -]{3,15}$/.test(raw)) text = raw;
    else
      return {
        ok: false,
        status: 400,
        message: `text ${JSON.stringify(body.text)} is not a Vietnamese plate (${parsed.ok ? '' : parsed.reason}); send freeForm: true to keep it as typed`,
      };
    const current = this.store.get(incidentId);
    const colour = body.colour ?? current?.colour ?? 'unknown';
    if (!(PLATE_COLOURS as readonly string[]).includes(colour))
      return {
        ok: false,
        status: 400,
        message: `colour ${JSON.stringify(colour)} is not one of ${PLATE_COLOURS.join(', ')}`,
      };
    const plate = this.store.correct(incidentId, { text, colour, by, note: body.note ?? null });
    if (!plate) return { ok: false, status: 404, message: `no incident ${incidentId}` };
    for (const l of this.listeners) {
      try {
        l(incidentId);
      } catch (err) {
        this.log?.error(
          { err: (err as Error).message, incident: incidentId },
          'plate correction listener failed',
        );
      }
    }
    return { ok: true, plate };
  }
}
