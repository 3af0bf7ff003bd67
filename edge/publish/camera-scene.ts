// What central needs to draw a camera's rules for reviewers: names, position, zones, lines and rule settings.
import type { EdgeConfig } from '../config/schema.ts';

type CameraConfig = EdgeConfig['cameras'][number];

export interface CameraScene {
  name?: string;
  location?: { lat: number; lon: number };
  zones: { id: string; name?: string; polygon: [number, number][] }[];
  lines: { id: string; name?: string; points: [number, number][] }[];
  /** The rule configs as written (ids, types, names, the zones/lines they use, directions, thresholds). */
  rules: Record<string, unknown>[];
}

/** The scene of one camera, from its config; the source URL (which may hold credentials) is never included. */
export function cameraScene(cam: CameraConfig): CameraScene {
  return {
    ...(cam.name !== undefined ? { name: cam.name } : {}),
    ...(cam.location !== undefined ? { location: cam.location } : {}),
    zones: cam.zones.map((z) => ({ id: z.id, ...(z.name ? { name: z.name } : {}), polygon: z.polygon })),
    lines: cam.lines.map((l) => ({ id: l.id, ...(l.name ? { name: l.name } : {}), points: l.points })),
    rules: cam.rules.map((r) => ({ ...r }) as Record<string, unknown>),
  };
}
