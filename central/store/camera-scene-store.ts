// Camera scenes (names, zones, lines, rules) as edges report them, every distinct version kept with its arrival time.
import { createHash } from 'node:crypto';
import { REVIEW_MIGRATIONS } from '../reviews/review-migrations.ts';
import { type Db, migrate } from './database.ts';

export interface SceneZone {
  id: string;
  name?: string;
  polygon: [number, number][];
}
export interface SceneLine {
  id: string;
  name?: string;
  points: [number, number][];
}
export interface CameraScene {
  name?: string;
  location?: { lat: number; lon: number };
  zones: SceneZone[];
  lines: SceneLine[];
  rules: ({ id: string; type: string; name?: string } & Record<string, unknown>)[];
}
export interface StoredScene extends CameraScene {
  site: string;
  camera: string;
  receivedAt: number;
  sha256: string;
}

/** Canonical JSON (sorted keys) so the same scene sent again hashes the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

interface Row {
  site: string;
  camera: string;
  sha256: string;
  received_at: number;
  scene: string;
}
const toScene = (r: Row): StoredScene => ({
  ...(JSON.parse(r.scene) as CameraScene),
  site: r.site,
  camera: r.camera,
  receivedAt: r.received_at,
  sha256: r.sha256,
});

export class CameraSceneStore {
  private readonly q;

  constructor(db: Db) {
    migrate(db, 'review', REVIEW_MIGRATIONS);
    this.q = {
      insert: db.prepare(
        `INSERT INTO camera_scenes (site, camera, sha256, received_at, scene) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (site, camera, sha256) DO NOTHING`,
      ),
      latest: db.prepare<[string, string], Row>(
        'SELECT * FROM camera_scenes WHERE site = ? AND camera = ? ORDER BY received_at DESC LIMIT 1',
      ),
      // The scene in force at a time: the newest received before it, else the oldest known (the incident came
      // from a camera before its first scene report reached central).
      at: db.prepare<[string, string, number], Row>(
        `SELECT * FROM camera_scenes WHERE site = ? AND camera = ? AND received_at <= ?
         ORDER BY received_at DESC LIMIT 1`,
      ),
      oldest: db.prepare<[string, string], Row>(
        'SELECT * FROM camera_scenes WHERE site = ? AND camera = ? ORDER BY received_at ASC LIMIT 1',
      ),
      all: db.prepare<[], Row>(
        `SELECT s.* FROM camera_scenes s WHERE s.received_at =
           (SELECT MAX(received_at) FROM camera_scenes t WHERE t.site = s.site AND t.camera = s.camera)
         ORDER BY s.site, s.camera`,
      ),
    };
  }

  /** Stores a scene; a repeat of the one already known is a no-op. Returns whether it was new. */
  put(site: string, camera: string, scene: CameraScene, now = Date.now()): boolean {
    const sha256 = createHash('sha256').update(canonical(scene)).digest('hex');
    return this.q.insert.run(site, camera, sha256, now, JSON.stringify(scene)).changes > 0;
  }

  latest(site: string, camera: string): StoredScene | undefined {
    const r = this.q.latest.get(site, camera);
    return r ? toScene(r) : undefined;
  }

  at(site: string, camera: string, tsMs: number): StoredScene | undefined {
    const r = this.q.at.get(site, camera, tsMs) ?? this.q.oldest.get(site, camera);
    return r ? toScene(r) : undefined;
  }

  /** The latest scene of every camera. */
  list(): StoredScene[] {
    return this.q.all.all().map(toScene);
  }
}
