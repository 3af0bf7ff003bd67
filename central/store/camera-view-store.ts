// The newest live view of each camera (a JPEG from the edge), for the cameras page; a newer frame replaces it.
import { createHash } from 'node:crypto';
import { REVIEW_MIGRATIONS } from '../reviews/review-migrations.ts';
import { type Db, migrate } from './database.ts';

export interface CameraView {
  site: string;
  camera: string;
  frameTs: number;
  receivedAt: number;
  sha256: string;
}

interface Row {
  site: string;
  camera: string;
  frame_ts: number;
  received_at: number;
  sha256: string;
}
const toView = (r: Row): CameraView => ({
  site: r.site,
  camera: r.camera,
  frameTs: r.frame_ts,
  receivedAt: r.received_at,
  sha256: r.sha256,
});

export class CameraViewStore {
  private readonly q;

  constructor(db: Db) {
    migrate(db, 'review', REVIEW_MIGRATIONS);
    this.q = {
      // An older frame arriving late (a retried upload) does not replace a newer one.
      put: db.prepare(
        `INSERT INTO camera_views (site, camera, frame_ts, received_at, sha256, jpeg) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (site, camera) DO UPDATE SET frame_ts = excluded.frame_ts, received_at = excluded.received_at,
           sha256 = excluded.sha256, jpeg = excluded.jpeg
         WHERE excluded.frame_ts >= camera_views.frame_ts`,
      ),
      meta: db.prepare<[string, string], Row>(
        'SELECT site, camera, frame_ts, received_at, sha256 FROM camera_views WHERE site = ? AND camera = ?',
      ),
      jpeg: db.prepare<[string, string], { jpeg: Buffer; sha256: string; frame_ts: number }>(
        'SELECT jpeg, sha256, frame_ts FROM camera_views WHERE site = ? AND camera = ?',
      ),
    };
  }

  /** Stores a view; false when central already holds a newer frame of that camera. */
  put(site: string, camera: string, jpeg: Buffer, frameTs: number, now = Date.now()): boolean {
    const sha256 = createHash('sha256').update(jpeg).digest('hex');
    return this.q.put.run(site, camera, frameTs, now, sha256, jpeg).changes > 0;
  }

  get(site: string, camera: string): CameraView | undefined {
    const r = this.q.meta.get(site, camera);
    return r ? toView(r) : undefined;
  }

  jpeg(site: string, camera: string): { jpeg: Buffer; sha256: string; frameTs: number } | undefined {
    const r = this.q.jpeg.get(site, camera);
    return r ? { jpeg: r.jpeg, sha256: r.sha256, frameTs: r.frame_ts } : undefined;
  }
}
