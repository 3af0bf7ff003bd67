// The one detection shape every detector returns: class, score and a box normalised to the source frame.
export interface Detection {
  classId: number;
  label: string;
  score: number;
  /** [x1, y1, x2, y2], 0..1 of the source frame width/height. */
  boxXyxyNorm: [number, number, number, number];
}
