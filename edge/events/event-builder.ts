// Turns an engine transition into a compact wire event (paths downsampled and rounded to stay well under 1 KB).
import { type MatthanEvent, SCHEMA_VERSION } from '../../contract/index.ts';
import type { Transition } from '../rules/engine.ts';

const MAX_PATH_POINTS = 16;
const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

export function buildEvent(site: string, camera: string, t: Transition): MatthanEvent {
  const details = { ...t.hit.details };
  if (t.track && !details.pathNorm && t.track.path.length > 1) {
    const path = t.track.path;
    const step = Math.max(1, Math.ceil(path.length / MAX_PATH_POINTS));
    const picked = path.filter((_, i) => i % step === 0 || i === path.length - 1).slice(-MAX_PATH_POINTS);
    details.pathNorm = picked.map((p) => [round4(p.x), round4(p.y)] as [number, number]);
  }
  const event: MatthanEvent = {
    schemaVersion: SCHEMA_VERSION,
    id: t.eventId,
    seq: t.seq,
    phase: t.phase,
    site,
    camera,
    rule: t.rule.id,
    ruleType: t.rule.type,
    ts: Math.round(t.tsMs),
    startTs: Math.round(t.startTs),
    label: t.hit.label,
    confidence: round4(t.hit.confidence),
    boxXyxyNorm: t.hit.boxXyxyNorm.map(round4) as [number, number, number, number],
  };
  if (t.endTs !== undefined) event.endTs = Math.round(t.endTs);
  if (t.hit.trackId !== undefined) event.trackId = t.hit.trackId;
  if (t.hit.zone) event.zone = t.hit.zone;
  if (t.hit.line) event.line = t.hit.line;
  if (Object.keys(details).length > 0) event.details = details;
  // Only when it differs from the start frame: the start snapshot already shows that one.
  if (t.phase === 'end' && t.best && Math.round(t.best.tsMs) !== event.startTs) {
    event.best = {
      ts: Math.round(t.best.tsMs),
      confidence: round4(t.best.hit.confidence),
      boxXyxyNorm: t.best.hit.boxXyxyNorm.map(round4) as [number, number, number, number],
    };
  }
  return event;
}
