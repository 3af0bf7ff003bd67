// The incident's track frame by frame: timed boxes and signal states joined from every event message, by time.
import type { MatthanEvent, SignalState } from '../../contract/index.ts';

export interface IncidentTimeline {
  /** [epoch ms, x1, y1, x2, y2], oldest first, one per analysed frame. */
  boxes: [number, number, number, number, number][];
  /** [epoch ms, state]: the first known state, then each change, oldest first. */
  signal: [number, SignalState][];
}

/** Upper bound of joined boxes (the UI draws one per frame; a parked car's day is not needed frame by frame). */
const MAX_BOXES = 2000;

/**
 * Joins the `track` of every message (each holds offsets from its own `ts`); a frame reported by two messages
 * (overlapping history) is kept once. Events without a track fall back to their own box at their `ts`, so
 * old edges still get a box that moves from message to message.
 */
export function incidentTimeline(events: readonly MatthanEvent[]): IncidentTimeline {
  const boxes = new Map<number, [number, number, number, number, number]>();
  const signals = new Map<number, SignalState>();
  for (const e of events) {
    if (e.track) {
      for (const [dt, x1, y1, x2, y2] of e.track.boxes) boxes.set(e.ts + dt, [e.ts + dt, x1, y1, x2, y2]);
      for (const [dt, s] of e.track.signal ?? []) signals.set(e.ts + dt, s);
    } else {
      const [x1, y1, x2, y2] = e.boxXyxyNorm;
      if (!boxes.has(e.ts)) boxes.set(e.ts, [e.ts, x1, y1, x2, y2]);
      if (e.details?.signal) signals.set(e.ts, e.details.signal);
    }
  }
  const sortedBoxes = [...boxes.values()].sort((a, b) => a[0] - b[0]);
  const step = Math.ceil(sortedBoxes.length / MAX_BOXES);
  const keptBoxes = step > 1 ? sortedBoxes.filter((_, i) => i % step === 0) : sortedBoxes;
  const signal: [number, SignalState][] = [];
  for (const [ts, s] of [...signals].sort((a, b) => a[0] - b[0]))
    if (signal.at(-1)?.[1] !== s) signal.push([ts, s]);
  return { boxes: keptBoxes, signal };
}
