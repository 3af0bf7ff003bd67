// A tracked object as rules see it: identity, class, box, confirmation state and its recent anchor path.
export interface TrackPoint {
  tsMs: number;
  /** Bottom-centre anchor (where the vehicle touches the road), normalised. */
  x: number;
  y: number;
  /** The box on this frame (for the reviewer's frame-by-frame overlay); absent on points from older code. */
  box?: readonly [number, number, number, number];
}

export interface Track {
  id: number;
  classId: number;
  label: string;
  score: number;
  boxXyxyNorm: [number, number, number, number];
  /** Only confirmed tracks may fire rules (an unconfirmed one is often a one-frame false positive). */
  confirmed: boolean;
  hits: number;
  firstSeenTs: number;
  lastSeenTs: number;
  /** Recent anchor points, oldest first, bounded. */
  path: TrackPoint[];
}

/** The tracker plug point; ByteTrack and the simple IoU tracker both implement it. */
export interface Tracker {
  /** Feeds one frame's detections; returns the tracks seen in this frame. */
  update(detections: readonly import('../detect/detection.ts').Detection[], tsMs: number): Track[];
}

/**
 * How far inside the frame an anchor is kept. Boxes are clamped to the frame, so a vehicle cut by the bottom
 * edge has its anchor exactly at y = 1, where ray-casting point-in-polygon answers differently for a zone
 * whose edge lies on the frame border; 1e-6 inside is far below one pixel and removes the tie.
 */
export const ANCHOR_INSET = 1e-6;

const inside = (v: number) => Math.min(1 - ANCHOR_INSET, Math.max(ANCHOR_INSET, v));

/** Bottom-centre of a box, kept ANCHOR_INSET inside the frame. */
export function anchorOf(box: readonly [number, number, number, number]): { x: number; y: number } {
  return { x: inside((box[0] + box[2]) / 2), y: inside(box[3]) };
}
