// Types of geometry.js for the TypeScript unit tests (the browser loads the .js directly).
export declare function containRect(
  boxW: number,
  boxH: number,
  frameW: number,
  frameH: number,
): { x: number; y: number; w: number; h: number };
export declare function boxRect(
  box: unknown,
): { x: number; y: number; width: number; height: number } | undefined;
export declare function pathPoints(path: unknown): string;
export declare function zoomOrigin(
  box: unknown,
  playerW: number,
  playerH: number,
  frameW: number,
  frameH: number,
): { xPct: number; yPct: number };
export interface Zone {
  id: string;
  name?: string;
  polygon: [number, number][];
}
export interface Line {
  id: string;
  name?: string;
  points: [number, number][];
}
export interface Arrow {
  from: [number, number];
  to: [number, number];
  kind: 'allowed' | 'approach';
}
export declare function ruleGeometry(
  scene: unknown,
  ruleId: string,
  event: { zone?: string; line?: string },
): { zones: Zone[]; lines: Line[]; arrows: Arrow[] };
