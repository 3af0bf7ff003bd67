// GET /api/live: Server-Sent Events over a real socket — auth, incident events from MQTT ingest and from
// verdicts, heartbeats, and listeners released when the client goes away or the server closes.
import http from 'node:http';
import path from 'node:path';
import Fastify from 'fastify';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import liveRoutes, { type IncidentFeed } from '../../central/routes/live/index.ts';
import { Topics } from '../../contract/index.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';

interface SseClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Everything received so far. */
  text(): string;
  close(): void;
}

/** Opens an SSE stream with a plain http request, so nothing in between parses or buffers it. */
function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('error', () => undefined); // destroyed on purpose by close()
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        text: () => body,
        close: () => req.destroy(),
      });
    });
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
  });
}

/** Parsed `event: incident` messages of a stream. */
const incidentMessages = (text: string) =>
  [...text.matchAll(/event: incident\ndata: (.*)\n\n/g)].map(
    (m) => JSON.parse(m[1]!) as { id: string; created: boolean },
  );

describe('/api/live on central', () => {
  const dir = tempDir();
  const creds = new TestCredentials();
  const viewer = creds.person('viewer', 'Viewer');
  const reviewer = creds.person('reviewer', 'Reviewer');
  const box = creds.box(sampleEvent().site);
  let central: CentralHandle;

  beforeAll(async () => {
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        ...creds.central(),
        broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
        database: { path: path.join(dir, 'central.sqlite') },
      }),
    );
  });
  afterAll(async () => {
    await central?.stop();
  });

  it('refuses a caller without a token', async () => {
    const res = await fetch(`${central.url}/api/live`);
    expect(res.status).toBe(401);
  });

  it('streams incident creation, later events and verdicts to a viewer with the session cookie', async () => {
    const login = await fetch(`${central.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: viewer.token }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const sse = await openSse(`${central.url}/api/live`, { cookie });
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(sse.headers['cache-control']).toContain('no-cache');

    const client = await mqtt.connectAsync(central.brokerUrl, box.mqtt);
    const start = sampleEvent({ id: 'evt_live_000001' });
    await client.publishAsync(Topics.events(start.site, start.camera), JSON.stringify(start), { qos: 1 });
    // Ingest commits in batches and tells listeners once per incident per batch, so the end is published
    // after the creation was seen: otherwise both may share a batch and arrive as one message.
    await expect.poll(() => incidentMessages(sse.text())).toEqual([{ id: start.id, created: true }]);
    await client.publishAsync(
      Topics.events(start.site, start.camera),
      JSON.stringify({ ...start, seq: 1, phase: 'end', ts: start.ts + 2000, endTs: start.ts + 2000 }),
      { qos: 1 },
    );
    await client.endAsync();
    await expect
      .poll(() => incidentMessages(sse.text()))
      .toEqual([
        { id: start.id, created: true },
        { id: start.id, created: false },
      ]);

    const review = await fetch(`${central.url}/api/incidents/${start.id}/review`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reviewer.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ verdict: 'confirmed', override: true, note: 'no evidence in this test' }),
    });
    expect(review.status).toBe(200);
    await expect.poll(() => incidentMessages(sse.text())).toHaveLength(3);
    expect(incidentMessages(sse.text())[2]).toEqual({ id: start.id, created: false });
    sse.close();
  });
});

describe('live routes plugin', () => {
  // A feed with the IngestService.onIncident signature, counting its subscribers.
  const listeners = new Set<(id: string, created: boolean) => void>();
  const feed: IncidentFeed = (l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };
  const app = Fastify();
  let url: string;

  beforeAll(async () => {
    await app.register(liveRoutes, { prefix: '/api/live', feeds: [feed], heartbeatMs: 30, retryMs: 1500 });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });

  it('sends the retry hint and heartbeats, and unsubscribes when the client disconnects', async () => {
    const sse = await openSse(`${url}/api/live`);
    expect(sse.text() === '' || sse.text().startsWith('retry: 1500\n\n')).toBe(true);
    await expect.poll(() => listeners.size).toBe(1);
    await expect.poll(() => (sse.text().match(/^: heartbeat$/gm) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(sse.text().startsWith('retry: 1500\n\n')).toBe(true);
    for (const l of listeners) l('evt_plugin_0001', true);
    await expect.poll(() => incidentMessages(sse.text())).toEqual([{ id: 'evt_plugin_0001', created: true }]);
    sse.close();
    await expect.poll(() => listeners.size).toBe(0);
  });

  it('ends open streams when the server closes, so close() does not wait for review pages', async () => {
    const a = await openSse(`${url}/api/live`);
    const b = await openSse(`${url}/api/live`);
    await expect.poll(() => listeners.size).toBe(2);
    await app.close();
    expect(listeners.size).toBe(0);
    a.close();
    b.close();
  });
});
