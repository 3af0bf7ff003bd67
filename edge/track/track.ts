// A tracked object as rules see it: identity, class, box, confirmation state and its recent anchor path.
export interface TrackPoint {
  tsMs: number;
  /** Bottom-centre anchor (where the vehicle touches the road), normalised. */
  x: number;
  y: number;
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

export function anchorOf(box: readonly [number, number, number, number]): { x: number; y: number } {
  return { x: (box[0] + box[2]) / 2, y: box[3] };
}
