// Decides which message (Alert, Update, Cancel or none) an incident change or a review verdict calls for; pure.
import type { ForwardPolicy } from './forward-schema.ts';
import type { MessageKind } from './forwarder.ts';

/** What the outbox remembers per (forwarder, incident). */
export interface ForwardState {
  seq: number; // messages enqueued so far
  fingerprint: string; // of the incident as last sent
  cancelled: boolean;
}

export interface IncidentView {
  status: string; // open | confirmed | rejected
  ended: boolean;
  evidence: Record<string, string> | null;
  /** The plate as it stands: its arrival (on the end message) or a correction is news to the IOC. */
  plate?: { text: string | null; colour: string } | null;
}

export type Trigger = { kind: 'incident' } | { kind: 'verdict'; verdict: 'confirmed' | 'rejected' };

/**
 * What an IOC would want to hear again about: the end of the incident, new evidence, the review status.
 * Box, confidence and the event count change on every frame; an Update per frame would flood the IOC.
 */
export function incidentFingerprint(i: IncidentView): string {
  const evidence = Object.keys(i.evidence ?? {}).sort();
  const plate = i.plate ? `${i.plate.text ?? ''}/${i.plate.colour}` : undefined;
  return JSON.stringify({ ended: i.ended, evidence, status: i.status, ...(plate ? { plate } : {}) });
}

export function planMessage(
  policy: ForwardPolicy,
  incident: IncidentView,
  trigger: Trigger,
  state: ForwardState | undefined,
): MessageKind | null {
  const live = state !== undefined && state.seq > 0 && !state.cancelled;
  if (trigger.kind === 'verdict') {
    if (trigger.verdict === 'rejected') return live ? 'cancel' : null;
    // confirmed: the first message for after-confirm rules (or after an earlier cancel), else an Update
    // that raises certainty to Observed -- unless an incident change already sent this very state
    if (!live) return 'alert';
    return incidentFingerprint({ ...incident, status: 'confirmed' }) === state.fingerprint ? null : 'update';
  }
  if (incident.status === 'rejected') return null;
  if (!live) {
    if (state?.cancelled) return null; // a rejected incident comes back only through a new confirmation
    if (policy === 'after-confirm' && incident.status !== 'confirmed') return null;
    return 'alert';
  }
  return incidentFingerprint(incident) === state.fingerprint ? null : 'update';
}
