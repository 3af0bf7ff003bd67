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

  /**
   * Keeps the newest status per camera. A last will is registered at connect time and cannot know when it
   * will fire, so it carries ts 0: it is stamped with the time central received it, else any earlier
   * heartbeat would outrank it and a dead box would stay 'online'.
   */
  record(s: StatusMessage, receivedAtMs = Date.now()): void {
    const status = s.ts === 0 ? { ...s, ts: receivedAtMs } : s;
    this.upsert.run({
      site: status.site,
      camera: status.camera,
      state: status.state,
      reason: status.reason ?? null,
      ts: status.ts,
      payload: JSON.stringify(status),
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
