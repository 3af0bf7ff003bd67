// A real central fed with the recorded edge run: event payloads through MQTT and the real ingest, evidence files
// and the camera scene through the edge's HTTP routes; optionally some evidence withheld or reported failed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { defaultCentralConfig } from '../../central/config/load.ts';
import type { CentralConfig } from '../../central/config/schema.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { CAMERA, CAMERA_LOCATION, CAMERA_NAME, type Recording, SITE } from './recorded-edge-run.ts';

/** A second camera of the same junction, for overlap-group merges. */
export const SECOND_CAMERA = 'cam-nguyen-hue-02';

/** The identities of every seeded central: people with random tokens, and the junction's edge box. */
const creds = new TestCredentials();
const BOX = creds.box(SITE, 'edge-d1');
export const TOKENS = {
  reviewer: creds.person('reviewer', 'Trần Thị Duyệt'),
  reviewer2: creds.person('reviewer', 'Phạm Văn Hai'),
  viewer: creds.person('viewer', 'Lê Văn Xem'),
  admin: creds.person('admin', 'Quản trị'),
  edge: BOX,
};

export interface SeedOptions {
  /** Evidence ids not uploaded (the incident then waits for them: "still uploading"). */
  withhold?: (id: string) => boolean;
  /** Evidence ids reported failed by the edge (POST /api/evidence/:id/failure) with this reason. */
  fail?: (id: string) => string | undefined;
  review?: Partial<CentralConfig['review']>;
  /** Puts the camera and a second one (SECOND_CAMERA, same junction from another pole) into this overlap group. */
  group?: string;
  /**
   * Chooses, once the events are stored, which evidence to withhold or report failed, from the incidents central
   * made of them (oldest first).
   */
  choose?: (incidents: { id: string; firstTs: number; evidence: Record<string, string> | null }[]) => {
    withhold?: Set<string>;
    fail?: Map<string, string>;
  };
}

export interface SeededCentral {
  central: CentralHandle;
  dir: string;
  /** GET/POST with a role's Bearer token; returns status and parsed JSON (or undefined). */
  call(
    role: keyof typeof TOKENS,
    method: string,
    url: string,
    body?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the API answered
  ): Promise<{ status: number; json: any; bytes: Buffer; type: string }>;
  /** Publishes more raw event payloads through the broker and waits until central stored them. */
  publish(payloads: string[]): Promise<void>;
  stop(): Promise<void>;
}

async function until(ok: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function seededCentral(rec: Recording, opts: SeedOptions = {}): Promise<SeededCentral> {
  const dir = tempDir('matthan-e2e-');
  const base = defaultCentralConfig();
  const central = await startCentral(
    defaultCentralConfig({
      http: { host: '127.0.0.1', port: 0 },
      ...creds.central(),
      broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
      database: { path: path.join(dir, 'central.sqlite') },
      evidence: { dir: path.join(dir, 'evidence'), retentionDays: 0, maxBytes: 0 },
      cameras: [
        {
          site: SITE,
          id: CAMERA,
          name: CAMERA_NAME,
          location: CAMERA_LOCATION,
          ...(opts.group ? { group: opts.group } : {}),
        },
        ...(opts.group
          ? [{ site: SITE, id: SECOND_CAMERA, name: 'Ngã tư Nguyễn Huệ – Lê Lợi (cột 2)', group: opts.group }]
          : []),
      ],
      // The recording may be hours old (it is made once and kept): withheld files must still read "uploading".
      review: { ...base.review, evidencePendingMaxS: 30 * 86_400, ...opts.review },
      map: {
        // The block around the junction, as an IOC would draw its site.
        outline: [
          [10.7752, 106.6993],
          [10.7752, 106.7014],
          [10.7731, 106.7014],
          [10.7731, 106.6993],
        ],
      },
    }),
  );
  const call: SeededCentral['call'] = async (role, method, url, body) => {
    const res = await fetch(`${central.url}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKENS[role].token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      json: type.includes('json') ? JSON.parse(bytes.toString()) : undefined,
      bytes,
      type,
    };
  };
  // The replay publishes as the junction's box, under its own login (the broker refuses anyone else).
  const client = await mqtt.connectAsync(central.brokerUrl, { ...BOX.mqtt, protocolVersion: 4 });
  await central.subscribed;
  const publish = async (payloads: string[]) => {
    const before = central.ingest.counters.stored + central.ingest.counters.duplicates;
    for (const p of payloads) {
      const e = JSON.parse(p) as { site: string; camera: string };
      await client.publishAsync(`matthan/v1/${e.site}/${e.camera}/events`, p, { qos: 1 });
    }
    await until(
      () => central.ingest.counters.stored + central.ingest.counters.duplicates - before >= payloads.length,
      `${payloads.length} events stored`,
    );
  };
  for (const s of rec.scenes) {
    const r = await call('edge', 'PUT', `/api/cameras/${s.site}/${s.camera}/scene`, s.scene);
    if (r.status !== 200) throw new Error(`scene upload: HTTP ${r.status}`);
  }
  for (const v of rec.views) {
    const res = await fetch(`${central.url}/api/cameras/${v.site}/${v.camera}/view`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${TOKENS.edge.token}`,
        'content-type': 'image/jpeg',
        'x-matthan-frame-ts': String(v.frameTs),
      },
      body: new Uint8Array(readFileSync(v.file)),
    });
    if (res.status !== 200) throw new Error(`view upload ${v.camera}: HTTP ${res.status}`);
  }
  await publish(rec.events);
  const chosen = opts.choose?.(
    (await call('viewer', 'GET', '/api/incidents?order=oldest&limit=500')).json.items,
  );
  for (const ev of rec.evidence) {
    const reason = opts.fail?.(ev.id) ?? chosen?.fail?.get(ev.id);
    if (reason) {
      const r = await call('edge', 'POST', `/api/evidence/${ev.id}/failure`, { reason });
      if (r.status !== 204) throw new Error(`failure notice ${ev.id}: HTTP ${r.status}`);
      continue;
    }
    if (opts.withhold?.(ev.id) || chosen?.withhold?.has(ev.id)) continue;
    const res = await fetch(`${central.url}/api/evidence/${ev.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKENS.edge.token}`, 'content-type': ev.contentType },
      body: new Uint8Array(readFileSync(ev.file)),
    });
    if (res.status !== 201) throw new Error(`evidence upload ${ev.id}: HTTP ${res.status}`);
  }
  return {
    central,
    dir,
    call,
    publish,
    async stop() {
      await client.endAsync();
      await central.stop();
    },
  };
}
