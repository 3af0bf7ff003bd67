// Turns an engine transition into a compact wire event (paths downsampled and rounded to stay well under 1 KB).
import {
  MAX_SIGNAL_CHANGES,
  MAX_TRACK_BOXES,
  type MatthanEvent,
  SCHEMA_VERSION,
  type TrackTimeline,
} from '../../contract/index.ts';
import type { Transition } from '../rules/engine.ts';
import type { SignalTimeline } from '../signal/signal-timeline.ts';
import type { Track } from '../track/track.ts';

const MAX_PATH_POINTS = 16;
const round4 = (v: number) => Math.round(v * 10_000) / 10_000;
// 0.001 of the frame is 2 px at 1080p: plenty for an overlay, and a third fewer bytes than 4 decimals.
const round3 = (v: number) => Math.round(v * 1000) / 1000;

export interface EventContext {
  /** The camera's signal source (edge/signal/signal-provenance.ts), recorded on every red_light message. */
  signalSource?: string;
  /** The signal states the camera's rules saw, so the event's track says what the light was at each moment. */
  signalSeen?: SignalTimeline;
}

/**
 * The track's last boxes up to the message's frame, as offsets from `tsMs`, with the signal state at the first
 * box and every change after it. Each message carries the newest MAX_TRACK_BOXES; central joins them by time.
 */
export function trackTimeline(
  track: Track,
  tsMs: number,
  signal?: SignalTimeline,
): TrackTimeline | undefined {
  const points = track.path.filter((p) => p.box && p.tsMs <= tsMs).slice(-MAX_TRACK_BOXES);
  if (points.length === 0) return undefined;
  const timeline: TrackTimeline = {
    boxes: points.map((p) => {
      const b = p.box!;
      return [Math.round(p.tsMs - tsMs), round3(b[0]), round3(b[1]), round3(b[2]), round3(b[3])];
    }),
  };
  const changes = signal?.between(points[0]!.tsMs, tsMs).slice(-MAX_SIGNAL_CHANGES);
  if (changes && changes.length > 0)
    timeline.signal = changes.map((c) => [Math.round(c.tsMs - tsMs), c.state]);
  return timeline;
}

export function buildEvent(
  site: string,
  camera: string,
  t: Transition,
  context: EventContext = {},
): MatthanEvent {
  const details = { ...t.hit.details };
  // A red light fines someone: the event says which source vouched for "red" (chain of custody, issue 16).
  if (t.rule.type === 'red_light' && context.signalSource) details.signalSource = context.signalSource;
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
  // On every message of the event, not only the start: central decides on the first message it sees of an id.
  if (t.continues) event.continues = t.continues;
  if (t.endTs !== undefined) event.endTs = Math.round(t.endTs);
  if (t.hit.trackId !== undefined) event.trackId = t.hit.trackId;
  if (t.hit.zone) event.zone = t.hit.zone;
  if (t.hit.line) event.line = t.hit.line;
  if (Object.keys(details).length > 0) event.details = details;
  const timeline = t.track ? trackTimeline(t.track, t.tsMs, context.signalSeen) : undefined;
  if (timeline) event.track = timeline;
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
