// Lookups over the configured camera inventory: group of a camera (for merges) and its display entry.
import type { CentralConfig } from './schema.ts';

export type CameraEntry = CentralConfig['cameras'][number];

export class CameraInventory {
  private readonly byKey = new Map<string, CameraEntry>();

  constructor(readonly cameras: readonly CameraEntry[]) {
    for (const c of cameras) this.byKey.set(`${c.site}/${c.id}`, c);
  }

  get(site: string, camera: string): CameraEntry | undefined {
    return this.byKey.get(`${site}/${camera}`);
  }

  /** Overlap group of a camera, or undefined when it is in none (or not in the inventory). */
  groupOf = (site: string, camera: string): string | undefined => this.byKey.get(`${site}/${camera}`)?.group;
}
