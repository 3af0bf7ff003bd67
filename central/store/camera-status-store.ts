// Latest status per camera (from retained status messages), for the health panel.
import type { StatusMessage } from '../../contract/index.ts';
import type { Db } from './database.ts';

export class CameraStatusStore {
  private readonly upsert;
  constructor(private readonly db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO camera_status (site, camera, state, reason, ts, payload) VALUES (@site, @camera, @state, @reason, @ts, @payload)
       ON CONFLICT (site, camera) DO UPDATE SET state = excluded.state, reason = excluded.reason, ts = excluded.ts, payload = excluded.payload
       WHERE excluded.ts >= camera_status.ts`,
    );
  }

  record(s: StatusMessage): void {
    this.upsert.run({
      site: s.site,
      camera: s.camera,
      state: s.state,
      reason: s.reason ?? null,
      ts: s.ts,
      payload: JSON.stringify(s),
    });
  }

  list(): StatusMessage[] {
    return (
      this.db.prepare('SELECT payload FROM camera_status ORDER BY site, camera').all() as {
        payload: string;
      }[]
    ).map((r) => JSON.parse(r.payload));
  }
}
