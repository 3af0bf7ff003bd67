// The review page end to end in headless Chromium: real central (SQLite, embedded broker), events over MQTT,
// real H.264 evidence; log in, filter, open, play, review by keyboard, and see a live incident arrive.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { type MatthanEvent, SCHEMA_VERSION, type StatusMessage, Topics } from '../../contract/index.ts';
import { media, sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { type Browser, launchBrowser } from './browser.ts';
import { makeEvidenceMedia } from './evidence-media.ts';

const SITE = 'hcmc-d1';
const REVIEWER = {
  name: 'Trần Thị Duyệt',
  role: 'reviewer' as const,
  token: 'reviewer-token-0123456789abcdef',
};
const VIEWER = { name: 'Lê Văn Xem', role: 'viewer' as const, token: 'viewer-token-0123456789abcdef' };
const EDGE = { name: 'edge-d1', role: 'edge' as const, token: 'edge-token-0123456789abcdefghij' };
const CAM01 = {
  site: SITE,
  id: 'cam-01',
  name: 'Ngã tư Lê Lợi – Pasteur',
  location: { lat: 10.77413, lon: 106.70036 },
};
const CAM02 = { site: SITE, id: 'cam-02', name: 'Nguyễn Huệ (phía sông)' };
const SCREENSHOT_DIR = process.env.MATTHAN_SCREENSHOT_DIR; // set to docs/screenshots to refresh the README images

interface Seed {
  id: string;
  camera: string;
  ruleType: MatthanEvent['ruleType'];
  rule: string;
  label: string;
  ageS: number;
  box: [number, number, number, number];
  details: MatthanEvent['details'];
}

// Newest first, spaced minutes apart and on different rules, so none of them merge.
const SEEDS: Seed[] = [
  {
    id: 'evt_redlight_0001',
    camera: 'cam-01',
    ruleType: 'red_light',
    rule: 'stopline-north',
    label: 'motorcycle',
    ageS: 60,
    // The rider in the yellow jacket crossing the stop line in the snapshot (2 s into the clip).
    box: [0.628, 0.47, 0.688, 0.68],
    details: {
      signal: 'red',
      speedKmh: 24.5,
      pathNorm: [
        [0.662, 0.97],
        [0.661, 0.9],
        [0.659, 0.83],
        [0.658, 0.76],
        [0.658, 0.68],
      ],
    },
  },
  {
    id: 'evt_speeding_0002',
    camera: 'cam-01',
    ruleType: 'speeding',
    rule: 'speed-60',
    label: 'car',
    ageS: 180,
    box: [0.276, 0.61, 0.482, 0.885],
    details: {
      speedKmh: 78.4,
      pathNorm: [
        [0.37, 0.99],
        [0.375, 0.94],
        [0.379, 0.885],
      ],
    },
  },
  {
    id: 'evt_stop_0003',
    camera: 'cam-02',
    ruleType: 'illegal_stop',
    rule: 'no-stopping-bus-lane',
    label: 'car',
    ageS: 300,
    box: [0.1, 0.55, 0.3, 0.8],
    details: { dwellS: 95 },
  },
  {
    id: 'evt_wrongway_0004',
    camera: 'cam-02',
    ruleType: 'wrong_way',
    rule: 'one-way-east',
    label: 'motorcycle',
    ageS: 420,
    box: [0.5, 0.6, 0.56, 0.75],
    details: { headingDeg: 178 },
  },
  {
    id: 'evt_sidewalk_0005',
    camera: 'cam-01',
    ruleType: 'sidewalk',
    rule: 'sidewalk-west',
    label: 'motorcycle',
    ageS: 540,
    box: [0.02, 0.6, 0.1, 0.78],
    details: { dwellS: 40 },
  },
];

/** Waits for a condition outside a test body (hooks cannot use expect.poll); throws naming what never happened. */
async function waitFor(ok: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const clipId = (s: { id: string }) => `clip_${s.id.slice(4)}`;
const snapId = (s: { id: string }) => `snap_${s.id.slice(4)}`;

function eventsOf(seed: Seed, nowMs: number): MatthanEvent[] {
  const startTs = nowMs - seed.ageS * 1000;
  const base = sampleEvent({
    id: seed.id,
    camera: seed.camera,
    rule: seed.rule,
    ruleType: seed.ruleType,
    label: seed.label,
    ts: startTs,
    startTs,
    boxXyxyNorm: seed.box,
    details: seed.details,
    evidence: { clip: clipId(seed), snapshot: snapId(seed) },
  });
  delete base.zone;
  return [base, { ...base, seq: 1, phase: 'end', ts: startTs + 4000, endTs: startTs + 4000 }];
}

describe('review page in headless Chromium', () => {
  const dir = tempDir('matthan-e2e-');
  let central: CentralHandle;
  let client: MqttClient;
  let browser: Browser;
  let page: Page;
  let clip: Buffer;
  let snapshot: Buffer;
  const nowMs = Date.now();

  const apiGet = async (url: string) => {
    const res = await fetch(`${central.url}${url}`, {
      headers: { authorization: `Bearer ${REVIEWER.token}` },
    });
    expect(res.status, url).toBe(200);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const upload = async (id: string, type: string, body: Buffer) => {
    const res = await fetch(`${central.url}/api/evidence/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${EDGE.token}`, 'content-type': type },
      body: new Uint8Array(body),
    });
    expect([200, 201], `upload ${id}`).toContain(res.status);
  };
  const publishEvents = async (events: MatthanEvent[]) => {
    const before = central.ingest.counters.stored;
    for (const e of events)
      await client.publishAsync(Topics.events(e.site, e.camera), JSON.stringify(e), { qos: 1 });
    await waitFor(
      () => central.ingest.counters.stored - before === events.length,
      `${events.length} events stored`,
    );
  };
  const articleId = () => page.locator('article.incident').getAttribute('data-id');
  const queueIds = () =>
    page.locator('#queue .queue-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));

  beforeAll(async () => {
    const made = await makeEvidenceMedia(media('hcmc_intersection_1080p.mp4'), dir, 4);
    clip = readFileSync(made.clipFile);
    snapshot = readFileSync(made.snapshotFile);
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        broker: { url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4, clientId: 'e2e-central' },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: { dir: path.join(dir, 'evidence'), retentionDays: 0, maxBytes: 0 },
        auth: { tokens: [REVIEWER, VIEWER, EDGE] },
        cameras: [CAM01, CAM02],
      }),
    );
    client = await mqtt.connectAsync(central.brokerUrl, { clientId: 'e2e-edge', protocolVersion: 4 });
    const status = (camera: string, s: Partial<StatusMessage>): StatusMessage => ({
      schemaVersion: SCHEMA_VERSION,
      site: SITE,
      camera,
      state: 'online',
      ts: nowMs,
      ...s,
    });
    await client.publishAsync(
      Topics.status(SITE, 'cam-01'),
      JSON.stringify(
        status('cam-01', { fpsIn: 5, fpsProcessed: 4.8, framesDropped: 3, lastEventTs: nowMs - 60_000 }),
      ),
      { qos: 1, retain: true },
    );
    await client.publishAsync(
      Topics.status(SITE, 'cam-02'),
      JSON.stringify(status('cam-02', { state: 'offline', reason: 'RTSP read timeout after 10 s' })),
      { qos: 1, retain: true },
    );
    await publishEvents(SEEDS.flatMap((s) => eventsOf(s, nowMs)));
    await waitFor(() => central.ingest.counters.statuses === 2, '2 camera statuses stored');
    for (const s of SEEDS) {
      await upload(clipId(s), 'video/mp4', clip);
      await upload(snapId(s), 'image/jpeg', snapshot);
    }
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await client?.endAsync();
    await central?.stop(); // hangs (hook timeout) if a live stream were left open
  });

  it('asks for a token, then shows the queue newest first with thumbnails and counts', async () => {
    await page.goto(central.url);
    await expect.poll(() => page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#login h1').textContent()).toContain('Đăng nhập'); // Vietnamese by default
    await page.fill('#login-token', 'not-a-valid-token-at-all');
    await page.click('#login-form button[type=submit]');
    await expect.poll(() => page.locator('#login-error').textContent()).toBe('Mã truy cập không đúng');

    await page.fill('#login-token', REVIEWER.token);
    await page.click('#login-form button[type=submit]');
    await expect.poll(queueIds, { timeout: 10_000 }).toEqual(SEEDS.map((s) => s.id));
    expect(await page.locator('#who').textContent()).toContain(REVIEWER.name);
    expect(await page.locator('#counts [data-status=open] .count').textContent()).toBe(String(SEEDS.length));
    expect(await page.locator('#counts [data-status=confirmed] .count').textContent()).toBe('0');
    // Thumbnails are the uploaded snapshots, decoded by the browser.
    await expect
      .poll(() =>
        page
          .locator('#queue .thumb img')
          .evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length),
      )
      .toBe(SEEDS.length);
    // The newest incident opens by itself so the reviewer can start at once.
    await expect.poll(articleId).toBe(SEEDS[0]!.id);
  });

  it('filters by camera, rule and time, and clears the filters', async () => {
    await page.selectOption('#f-camera', 'cam-02');
    const cam02 = SEEDS.filter((s) => s.camera === 'cam-02').map((s) => s.id);
    await expect.poll(queueIds).toEqual(cam02);
    expect(await page.locator('#counts [data-status=open] .count').textContent()).toBe(String(cam02.length));
    await page.selectOption('#f-rule', 'wrong_way');
    await expect.poll(queueIds).toEqual(['evt_wrongway_0004']);
    await page.click('#f-clear');
    await expect.poll(queueIds).toEqual(SEEDS.map((s) => s.id));

    // Time: "from" a minute boundary between the 420 s and the 300 s old incidents, typed in the workstation's
    // zone (Asia/Ho_Chi_Minh, UTC+7 all year) as a datetime-local value.
    const fromMs = Math.floor((nowMs - 360_000) / 60_000) * 60_000;
    const local = new Date(fromMs + 7 * 3600_000).toISOString().slice(0, 16);
    await page.fill('#f-from', local);
    await expect.poll(queueIds).toEqual(SEEDS.filter((s) => s.ageS <= 300).map((s) => s.id));
    await page.click('#f-clear');
    await expect.poll(queueIds).toEqual(SEEDS.map((s) => s.id));
  });

  it('opens an incident: the clip plays with the detection box and track path drawn over it', async () => {
    const seed = SEEDS[0]!;
    await page.click(`#queue [data-id="${SEEDS[1]!.id}"]`);
    await expect.poll(articleId).toBe(SEEDS[1]!.id);
    await page.click(`#queue [data-id="${seed.id}"]`);
    await expect.poll(articleId).toBe(seed.id);
    await page.waitForFunction(
      () => {
        const v = document.querySelector('#clip') as HTMLVideoElement | null;
        return !!v && v.currentTime > 0.5;
      },
      undefined,
      { timeout: 20_000 },
    );
    const video = await page.locator('#clip').evaluate((v: HTMLVideoElement) => ({
      w: v.videoWidth,
      h: v.videoHeight,
      error: v.error?.code ?? null,
    }));
    expect(video).toEqual({ w: 1280, h: 720, error: null });

    const box = await page
      .locator('.overlay .overlay-box')
      .evaluate((r) => ['x', 'y', 'width', 'height'].map((a) => Number(r.getAttribute(a))));
    const [x1, y1, x2, y2] = seed.box;
    expect(box[0]).toBeCloseTo(x1, 6);
    expect(box[1]).toBeCloseTo(y1, 6);
    expect(box[2]).toBeCloseTo(x2 - x1, 6);
    expect(box[3]).toBeCloseTo(y2 - y1, 6);
    const points = await page.locator('.overlay .overlay-path').getAttribute('points');
    expect(points?.split(' ')).toHaveLength(seed.details!.pathNorm!.length);
    // The overlay covers the picture exactly: same size as the 16:9 video area.
    const [overlayBox, videoBox] = await Promise.all([
      page.locator('.overlay').boundingBox(),
      page.locator('#clip').boundingBox(),
    ]);
    expect(Math.abs(overlayBox!.width / overlayBox!.height - 16 / 9)).toBeLessThan(0.02);
    expect(overlayBox!.width).toBeLessThanOrEqual(videoBox!.width + 1);

    // Rule details, snapshot, merged events and map position.
    const details = await page.locator('.details').textContent();
    expect(details).toContain('24,5 km/h');
    expect(details).toContain('Đỏ');
    await expect
      .poll(() => page.locator('.snapshot-img').evaluate((i: HTMLImageElement) => i.naturalWidth))
      .toBeGreaterThan(0);
    expect(await page.locator('.events tbody tr').count()).toBe(2);
    const href = await page.locator('.map-link').getAttribute('href');
    expect(href).toContain(`mlat=${CAM01.location.lat}`);
    expect(href).toContain(`mlon=${CAM01.location.lon}`);
    // Z magnifies around the box and back.
    await page.keyboard.press('z');
    await expect.poll(() => page.locator('.stage').getAttribute('class')).toContain('zoomed');
    if (SCREENSHOT_DIR) {
      await page.waitForTimeout(400);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'incident-zoom.png') });
    }
    await page.keyboard.press('z');
    await expect.poll(() => page.locator('.stage').getAttribute('class')).not.toContain('zoomed');
    // The whole view fits a 1366x768 screen: the verdict buttons are visible without scrolling.
    const confirm = await page.locator('.verdict-confirmed').boundingBox();
    expect(confirm!.y + confirm!.height).toBeLessThanOrEqual(768);
    if (SCREENSHOT_DIR) {
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'incident.png') });
    }
  });

  it('moves with J/K and reviews with the keyboard; the next incident opens and the verdict is stored', async () => {
    await page.keyboard.press('j');
    await expect.poll(articleId).toBe(SEEDS[1]!.id);
    await page.keyboard.press('k');
    await expect.poll(articleId).toBe(SEEDS[0]!.id);

    // Measured in the page (reported, never asserted): keydown -> next incident rendered.
    await page.evaluate(() => {
      const w = window as unknown as { verdictMs?: number; keyAt?: number };
      document.addEventListener(
        'keydown',
        () => {
          w.keyAt = performance.now();
        },
        { once: true, capture: true },
      );
      new MutationObserver((_m, obs) => {
        if (
          w.keyAt !== undefined &&
          document.querySelector('article.incident')?.getAttribute('data-id') !== 'evt_redlight_0001'
        ) {
          w.verdictMs = performance.now() - w.keyAt;
          obs.disconnect();
        }
      }).observe(document.querySelector('#incident')!, { childList: true, subtree: true });
    });
    await page.keyboard.press('c');
    // The confirmed incident leaves the "awaiting review" queue and the one below it opens.
    await expect.poll(articleId).toBe(SEEDS[1]!.id);
    const verdictMs = await page.evaluate(() => (window as unknown as { verdictMs?: number }).verdictMs);
    const reviewPostMs = await page.evaluate(
      () => performance.getEntriesByType('resource').find((e) => e.name.endsWith('/review'))?.duration,
    );
    console.info(
      `figure: C keydown -> verdict stored -> next incident shown: ${verdictMs?.toFixed(0)} ms (POST review ${reviewPostMs?.toFixed(0)} ms)`,
    );
    await expect.poll(queueIds).toEqual(SEEDS.slice(1).map((s) => s.id));
    const confirmed = await apiGet(`/api/incidents/${SEEDS[0]!.id}`);
    expect(confirmed.status).toBe('confirmed');
    expect(confirmed.reviewedBy).toBe(REVIEWER.name);

    // A note typed into the field never triggers a shortcut ("c" and "r" are in it); Escape leaves the field.
    await page.keyboard.press('n');
    await page.keyboard.type('Xe cứu thương, được ưu tiên');
    await page.keyboard.press('Escape');
    await page.keyboard.press('r');
    await expect.poll(articleId).toBe(SEEDS[2]!.id);
    const rejected = await apiGet(`/api/incidents/${SEEDS[1]!.id}`);
    expect(rejected.status).toBe('rejected');
    expect(rejected.reviewNote).toBe('Xe cứu thương, được ưu tiên');
    await expect
      .poll(() => page.locator('#counts [data-status=open] .count').textContent())
      .toBe(String(SEEDS.length - 2));
    expect(await page.locator('#counts [data-status=confirmed] .count').textContent()).toBe('1');
    expect(await page.locator('#counts [data-status=rejected] .count').textContent()).toBe('1');
  });

  it('shows a newly ingested incident without a reload', async () => {
    await page.evaluate(() => {
      (window as unknown as { noReload: boolean }).noReload = true;
    });
    const fresh: Seed = {
      id: 'evt_helmet_0006',
      camera: 'cam-01',
      ruleType: 'no_helmet',
      rule: 'helmet',
      label: 'motorcycle',
      ageS: 5,
      box: [0.783, 0.47, 0.815, 0.62],
      details: { attribute: 'no_helmet' },
    };
    await upload(snapId(fresh), 'image/jpeg', snapshot); // its clip is still "uploading"

    await page.evaluate((id) => {
      const w = window as unknown as { liveAt?: number };
      new MutationObserver((_m, obs) => {
        if (document.querySelector(`#queue [data-id="${id}"]`)) {
          w.liveAt = Date.now();
          obs.disconnect();
        }
      }).observe(document.querySelector('#queue')!, { childList: true });
    }, fresh.id);
    const publishedAt = Date.now();
    await publishEvents(eventsOf(fresh, Date.now()).slice(0, 1));
    await expect.poll(queueIds, { timeout: 10_000 }).toEqual([fresh.id, ...SEEDS.slice(2).map((s) => s.id)]);
    const liveAt = await page.evaluate(() => (window as unknown as { liveAt?: number }).liveAt);
    console.info(`figure: MQTT publish -> incident row on screen (no reload): ${liveAt! - publishedAt} ms`);
    await expect
      .poll(() => page.locator('#counts [data-status=open] .count').textContent())
      .toBe(String(SEEDS.length - 1));
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    expect(await page.locator('#live').getAttribute('class')).toContain('live-on');
    // Opened before its clip arrived: the snapshot stands in, with the box over it.
    await page.click(`#queue [data-id="${fresh.id}"]`);
    await expect.poll(articleId).toBe(fresh.id);
    await expect
      .poll(() => page.locator('#clip-still').evaluate((i: HTMLImageElement) => i.naturalWidth), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    expect(await page.locator('.player-missing').isVisible()).toBe(true);
    expect(await page.locator('.overlay .overlay-box').count()).toBe(1);
    if (SCREENSHOT_DIR) {
      // Every status, so the README shows reviewed incidents too.
      await page.selectOption('#f-status', '');
      await expect.poll(queueIds).toHaveLength(SEEDS.length + 1);
      await page.click(`#queue [data-id="${fresh.id}"]`);
      await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'queue.png') });
      await page.selectOption('#f-status', 'open');
      await expect.poll(queueIds).toHaveLength(SEEDS.length - 1);
    }
  });

  it('shows camera health: online/offline, fps, drops, last event', async () => {
    await page.click('[data-tab=cameras]');
    const rows = page.locator('#cameras tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const online = await page.locator('#cameras tr[data-camera="cam-01"]').textContent();
    expect(online).toContain(CAM01.name);
    expect(online).toContain('Trực tuyến');
    expect(online).toContain('5 / 4,8');
    const offline = await page.locator('#cameras tr[data-camera="cam-02"]').textContent();
    expect(offline).toContain('Mất kết nối');
    expect(offline).toContain('RTSP read timeout');
    if (SCREENSHOT_DIR) await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'cameras.png') });
    await page.click('[data-tab=queue]');
  });

  it('lets a viewer look but not give verdicts', async () => {
    const other = await launchBrowser();
    try {
      const p = await other.context.newPage();
      await p.goto(central.url);
      await p.fill('#login-token', VIEWER.token);
      await p.click('#login-form button[type=submit]');
      await expect
        .poll(() => p.locator('article.incident').getAttribute('data-id'), { timeout: 10_000 })
        .toBeTruthy();
      const id = (await p.locator('article.incident').getAttribute('data-id'))!;
      expect(await p.locator('.verdict-confirmed').isDisabled()).toBe(true);
      expect(await p.locator('.verdict').textContent()).toContain('chỉ có quyền xem');
      await p.keyboard.press('c');
      await p.waitForTimeout(300); // a verdict request would have been sent by now
      expect((await apiGet(`/api/incidents/${id}`)).status).toBe('open');
    } finally {
      await other.close();
    }
  });

  it('switches to English and keeps the choice across a reload', async () => {
    await page.selectOption('#lang', 'en');
    await expect.poll(() => page.locator('.verdict-confirmed').textContent()).toContain('Confirm violation');
    await page.reload();
    await expect
      .poll(() => page.locator('.verdict-confirmed').textContent(), { timeout: 10_000 })
      .toContain('Confirm violation');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    if (SCREENSHOT_DIR) await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'incident-en.png') });
  });
});
