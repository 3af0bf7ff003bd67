// The review queue in headless Chromium with bad values about: the hostile ones sent over MQTT are refused at
// ingest (never stored), the odd-but-valid ones are stored safely and render, and rows an older central stored
// before timestamps were bounded (ts 1e300, 9e15, a negative one) are repaired when central starts on that
// database (ingest migration 2), so the queue renders them too.
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { openDatabase } from '../../central/store/database.ts';
import { IncidentStore } from '../../central/store/incident-store.ts';
import { type MatthanEvent, Topics } from '../../contract/index.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { type Browser, launchBrowser } from './browser.ts';

const SITE = 'hcmc-d1';
const CAMERA = 'cam-01';
const creds = new TestCredentials();
const REVIEWER = creds.person('reviewer', 'kiem-tra');
const BOX = creds.box(SITE);

async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('review queue with bad values about (Chromium)', () => {
  const dir = tempDir('matthan-e2e-bad-');
  const now = Date.now();
  let central: CentralHandle;
  let client: MqttClient;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const ev = (id: string, patch: Partial<MatthanEvent> & Record<string, unknown>, offsetMs: number) => ({
    ...sampleEvent({
      id,
      site: SITE,
      camera: CAMERA,
      ts: now - offsetMs,
      startTs: now - offsetMs,
      boxXyxyNorm: [((offsetMs / 60_000) % 9) / 10, 0.1, ((offsetMs / 60_000) % 9) / 10 + 0.08, 0.3],
    }),
    ...patch,
  });

  /** Refused at ingest, each with its reason: none of them may reach the queue. */
  const hostile: [string, Buffer][] = [
    ['ts 1e300', Buffer.from(JSON.stringify(ev('evt_bad_1e300_0001', { ts: 1e300, startTs: 1e300 }, 0)))],
    ['ts 9e15', Buffer.from(JSON.stringify(ev('evt_bad_9e15_00001', { ts: 9e15, startTs: 9e15 }, 0)))],
    ['negative ts', Buffer.from(JSON.stringify(ev('evt_bad_negative_1', { ts: -1, startTs: -1 }, 0)))],
    ['a day ahead', Buffer.from(JSON.stringify(ev('evt_bad_ahead_0001', { ts: now + 86_400_000 }, 0)))],
    ['200,000-deep nesting', Buffer.from(`{"id":"evt_bad_deep_00001","details":${'['.repeat(200_000)}}`)],
    ['offset-like seq', Buffer.from(JSON.stringify(ev('evt_bad_seq_000001', { seq: 1e30 }, 0)))],
  ];

  /** Odd but valid: stored, and each must show in the queue. Newest first by start time. */
  const valid: MatthanEvent[] = [
    // Just inside the clock skew: tomorrow's queue top is only minutes away.
    ev('evt_ok_skew_000001', { ts: now + 240_000, startTs: now + 240_000 }, 0),
    // No optional field at all.
    (() => {
      const { details: _d, zone: _z, trackId: _t, ...bare } = ev('evt_ok_bare_000001', {}, 60_000);
      return bare as MatthanEvent;
    })(),
    // Every bound at its maximum, markup in the free text (must render as text), 32 path points.
    ev(
      'evt_ok_bounds_0001',
      {
        label: '<img src=x onerror="window.__xss=1">'.padEnd(64, 'x'),
        rule: 'r'.repeat(64),
        zone: '"><script>window.__xss=2</script>'.slice(0, 64),
        confidence: 1,
        details: {
          dwellS: 31_536_000,
          count: 100_000,
          speedKmh: 400,
          headingDeg: -360,
          attribute: 'ü'.repeat(64),
          pathNorm: Array.from({ length: 32 }, (_, i) => [i / 31, 1 - i / 31] as [number, number]),
        },
      },
      120_000,
    ),
    // The oldest a timestamp may be (2000-01-01): replayed from an outbox after a very long outage.
    ev('evt_ok_oldest_0001', { ts: 946_684_800_000, startTs: 946_684_800_000 }, 0),
  ];

  /** Rows as an older central stored them, before ingest bounded timestamps: in the database before we start. */
  const legacy: [string, number][] = [
    ['evt_legacy_1e300_1', 1e300],
    ['evt_legacy_9e15_01', 9e15],
    ['evt_legacy_neg_001', -5],
  ];

  beforeAll(async () => {
    // The database of an older central (core schema only), with what it let through.
    const old = openDatabase(path.join(dir, 'central.sqlite'));
    const oldStore = new IncidentStore(old);
    for (const [id, ts] of legacy)
      oldStore.ingest(sampleEvent({ id, site: SITE, camera: CAMERA, ts, startTs: ts }), now - 3_600_000);
    old.close();
    central = await startCentral(
      defaultCentralConfig({
        ...creds.central(),
        http: { host: '127.0.0.1', port: 0 },
        broker: {
          ...creds.central().broker,
          url: 'mqtt://127.0.0.1:0',
          embedded: true,
          protocolVersion: 4,
          clientId: `${creds.centralUsername}.e2e-bad`,
        },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: { dir: path.join(dir, 'evidence'), retentionDays: 0, maxBytes: 0 },
        cameras: [{ site: SITE, id: CAMERA, name: 'Ngã tư thử nghiệm' }],
      }),
    );
    await central.subscribed;
    client = await mqtt.connectAsync(central.brokerUrl, { ...BOX.mqtt, protocolVersion: 4 });
    for (const [, payload] of hostile)
      await client.publishAsync(Topics.events(SITE, CAMERA), payload, { qos: 1 });
    for (const e of valid)
      await client.publishAsync(Topics.events(SITE, CAMERA), JSON.stringify(e), { qos: 1 });
    await waitFor(
      () =>
        central.ingest.counters.quarantined === hostile.length &&
        central.ingest.counters.stored === valid.length,
      'bad values quarantined, odd values stored',
    );
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await client?.endAsync();
    await central?.stop();
  });

  it('refused every hostile value at ingest, with its reason', async () => {
    const q = await central.app.inject({
      url: '/api/quarantine?limit=50',
      headers: { authorization: `Bearer ${REVIEWER.token}` },
    });
    // Reviewers may not read the quarantine (admin only); the counters say what happened.
    expect([200, 403]).toContain(q.statusCode);
    expect(central.ingest.counters.quarantined).toBe(hostile.length);
  });

  it("repaired the older central's timestamps to their receive time", async () => {
    for (const [id] of legacy) {
      const r = await central.app.inject({
        url: `/api/incidents/${id}`,
        headers: { authorization: `Bearer ${REVIEWER.token}` },
      });
      expect(r.statusCode).toBe(200);
      const inc = r.json() as { firstTs: number; lastTs: number; events: { ts: number; startTs: number }[] };
      expect(inc.firstTs).toBe(now - 3_600_000);
      expect(inc.lastTs).toBe(now - 3_600_000);
      expect(inc.events[0]).toMatchObject({ ts: now - 3_600_000, startTs: now - 3_600_000 });
    }
  });

  it('renders the queue: every stored incident, the markup as text, no page error', async () => {
    await page.goto(central.url);
    await page.fill('#login-token', REVIEWER.token);
    await page.click('#login-form button[type=submit]');
    const ids = () =>
      page.locator('#queue .queue-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    const expected = [...valid.map((e) => e.id), ...legacy.map(([id]) => id)].sort();
    await expect.poll(async () => (await ids()).sort(), { timeout: 15_000 }).toEqual(expected);
    // The valid ones in start-time order, newest first.
    const shown = await ids();
    const validShown = shown.filter((id) => valid.some((e) => e.id === id));
    expect(validShown).toEqual(valid.map((e) => e.id));
    // The label's markup is text on the page, never an element or a script run.
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#queue img[src="x"]').count()).toBe(0);
    // Every row shows a time; the odd ones open and render their detail.
    for (const e of valid) {
      await page.click(`#queue .queue-item[data-id="${e.id}"]`);
      await expect.poll(() => page.locator('article.incident').getAttribute('data-id')).toBe(e.id);
    }
    expect(pageErrors).toEqual([]);
  });
});
