// The plate in the review page, in headless Chromium: find an incident by a partial plate, see the plate and its
// crop, correct it, and see the correction and the machine read in the history (and the API agrees).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { type MatthanEvent, Topics } from '../../contract/index.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { media, sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { type Browser, launchBrowser } from './browser.ts';

const creds = new TestCredentials();
const REVIEWER = creds.person('reviewer', 'Trần Thị Duyệt');
const EDGE = creds.box('hcmc-d1');

/** A red_light incident whose end carries the plate vote (and its crop id when `crop`). */
function incident(i: number, plate: MatthanEvent['plate'], crop: boolean): MatthanEvent[] {
  const id = `evt_plateui_${i}000`;
  const startTs = Date.now() - (i + 1) * 60_000;
  const base = sampleEvent({
    id,
    rule: 'red-light',
    ruleType: 'red_light',
    label: 'car',
    startTs,
    ts: startTs,
    trackId: i,
  });
  delete base.zone;
  const end = { ...base, seq: 1, phase: 'end' as const, ts: startTs + 3000, endTs: startTs + 3000, plate };
  if (crop) end.evidence = { plate: `${id}_p` };
  return [base, end];
}

describe('plates in the review page', () => {
  const dir = tempDir('matthan-plate-ui-');
  let central: CentralHandle;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        ...creds.central(),
        broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: { dir: path.join(dir, 'evidence'), retentionDays: 0, maxBytes: 0 },
      }),
    );
    const events = [
      ...incident(0, { text: '30E-586.70', kind: 'car', confidence: 0.98, colour: 'white', reads: 8 }, true),
      ...incident(
        1,
        { text: '30F-621.51', kind: 'car', confidence: 0.92, colour: 'yellow', reads: 8 },
        false,
      ),
      ...incident(2, { confidence: 0.2, colour: 'white', reads: 4 }, false),
    ];
    for (const e of events)
      expect(central.ingest.handle(Topics.events(e.site, e.camera), Buffer.from(JSON.stringify(e)))).toBe(
        'stored',
      );
    // The crop as the edge makes it: the sedan's plate cut from the clip's first frame, enlarged.
    const png = execFileSync('ffmpeg', [
      '-v',
      'error',
      '-i',
      media('hcmc_intersection_1080p.mp4'),
      '-frames:v',
      '1',
      '-vf',
      'crop=72:56:598:838',
      '-f',
      'image2pipe',
      '-c:v',
      'png',
      '-',
    ]);
    const jpeg = await sharp(png).resize(216, 168, { kernel: 'lanczos3' }).jpeg({ quality: 90 }).toBuffer();
    const up = await fetch(`${central.url}/api/evidence/evt_plateui_0000_p`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${EDGE.token}`, 'content-type': 'image/jpeg' },
      body: new Uint8Array(jpeg),
    });
    expect([200, 201]).toContain(up.status);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
    await page.goto(central.url);
    await page.fill('#login-token', REVIEWER.token);
    await page.click('#login-form button[type=submit]');
    await page.locator('#queue .queue-item').nth(2).waitFor({ timeout: 10_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await central?.stop();
  });

  const queueIds = () =>
    page.locator('#queue .queue-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));

  it('the queue shows each read plate beside the violation', async () => {
    expect(await page.locator('#queue .queue-plate').allTextContents()).toEqual(['30E-586.70', '30F-621.51']);
  });

  it('finds the incident by a partial plate typed any way (30e586)', async () => {
    await page.fill('#f-plate', '30e586');
    await expect.poll(queueIds, { timeout: 10_000 }).toEqual(['evt_plateui_0000']);
    await page.click('#queue .queue-item[data-id=evt_plateui_0000]');
    await expect
      .poll(() => page.locator('article.incident').getAttribute('data-id'))
      .toBe('evt_plateui_0000');
    expect(await page.locator('#plate-text').textContent()).toBe('30E-586.70');
    // The crop is the uploaded JPEG, decoded by the browser.
    await expect
      .poll(() => page.locator('#plate .plate-crop').evaluate((i) => (i as HTMLImageElement).naturalWidth))
      .toBe(216);
  });

  it('corrects the plate and shows the correction, who made it, and the original machine read', async () => {
    await page.fill('#plate-input', '30e 586 71');
    await page.selectOption('#plate-colour', 'white');
    await page.fill('#plate-note', 'đọc lại trên ảnh');
    await page.click('#plate-save');
    await expect
      .poll(() => page.locator('#plate-text').textContent(), { timeout: 10_000 })
      .toBe('30E-586.71');
    const history = await page.locator('#plate-history li').allTextContents();
    expect(history[0]).toContain('30E-586.70'); // the machine read stays
    expect(history[1]).toContain('30E-586.71');
    expect(history[1]).toContain(REVIEWER.name);
    expect(history[1]).toContain('đọc lại trên ảnh');
    expect(await page.locator('#plate-machine').textContent()).toContain('30E-586.70');
    if (process.env.MATTHAN_SCREENSHOT_DIR)
      await page.screenshot({ path: path.join(process.env.MATTHAN_SCREENSHOT_DIR, 'incident-plate.png') });
    // Typing in the plate form is not a page shortcut: the incident is still open, not confirmed by the C of a note.
    const res = await fetch(`${central.url}/api/incidents/evt_plateui_0000`, {
      headers: { authorization: `Bearer ${REVIEWER.token}` },
    });
    const body = (await res.json()) as {
      status: string;
      plate: { text: string; machine: { text: string }; correction: { by: string } };
    };
    expect(body.status).toBe('open');
    expect([body.plate.text, body.plate.machine.text, body.plate.correction.by]).toEqual([
      '30E-586.71',
      '30E-586.70',
      REVIEWER.name,
    ]);
  });

  it('the corrected plate and the machine read both find it; a plate that is nowhere finds nothing', async () => {
    await page.fill('#f-plate', '58671');
    await expect.poll(queueIds, { timeout: 10_000 }).toEqual(['evt_plateui_0000']);
    await page.fill('#f-plate', '586.70');
    await expect.poll(queueIds, { timeout: 10_000 }).toEqual(['evt_plateui_0000']);
    await page.fill('#f-plate', '99Z');
    await expect.poll(() => page.locator('#queue .queue-item').count(), { timeout: 10_000 }).toBe(0);
    await page.fill('#f-plate', '');
    await expect.poll(() => page.locator('#queue .queue-item').count(), { timeout: 10_000 }).toBe(3);
  });

  it('an unreadable plate says so, and the reviewer can type it', async () => {
    await page.click('#queue .queue-item[data-id=evt_plateui_2000]');
    await expect.poll(() => page.locator('#plate-text').textContent()).toBe('Không đọc được');
    await page.fill('#plate-input', '51G-123.45');
    await page.click('#plate-save');
    await expect
      .poll(() => page.locator('#plate-text').textContent(), { timeout: 10_000 })
      .toBe('51G-123.45');
  });
});
