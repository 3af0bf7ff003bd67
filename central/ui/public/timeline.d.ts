// Types of timeline.js for the TypeScript unit tests (the browser loads the .js directly).
export declare const MAX_GAP_MS: number;
export declare const EDGE_HOLD_MS: number;
export declare function boxAt(boxes: unknown, tMs: number): [number, number, number, number] | undefined;
export declare function signalAt(changes: unknown, tMs: number): string | undefined;
export declare function clipWallMs(
  currentTimeS: number,
  clipStartMs: number | undefined,
  eventStartMs: number,
  preRollMs?: number,
): number;
