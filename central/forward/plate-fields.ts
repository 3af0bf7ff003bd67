// The licence plate as IOC formats carry it: text, colour, how sure, and whether a reviewer corrected it.
import type { IncidentPlate } from '../plates/plate-store.ts';

export interface ForwardedPlate {
  /** Null: the machine could not read it and no reviewer has. */
  text: string | null;
  colour: string;
  /** The machine vote's confidence; 1 once a reviewer corrected the plate. */
  confidence: number;
  source: 'machine' | 'reviewer';
  /** The machine read when a reviewer corrected it (kept for the record). */
  machineText?: string | null;
}

/** Undefined when the incident has no plate row (plates off, an older edge, no correction). */
export function forwardedPlate(plate: IncidentPlate | null | undefined): ForwardedPlate | undefined {
  if (!plate) return undefined;
  if (plate.correction)
    return {
      text: plate.correction.text,
      colour: plate.correction.colour,
      confidence: 1,
      source: 'reviewer',
      machineText: plate.machine.text,
    };
  return {
    text: plate.machine.text,
    colour: plate.machine.colour,
    confidence: plate.machine.confidence,
    source: 'machine',
  };
}
