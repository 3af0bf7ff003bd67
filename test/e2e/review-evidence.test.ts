// The evidence view on real incidents: the box on the clip follows the vehicle frame by frame (the track's timed
// boxes placed by the clip's tagged start time), the rule's line, zone and approach arrow and the signal state are
// drawn, the snapshot opens full size with zoom, and missing evidence says why — still uploading, or the edge's
// capture failure — without requesting the missing file, until a live update says it arrived.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxAt } from '../../central/ui/public/timeline.js';
import { type Browser, launchBrowser } from './browser.ts';
import { type PageWatch, shownId, signIn, watch } from './page-watch.ts';
import { type Recording, recordedRun } from './recorded-edge-run.ts';
import { type SeededCentral, seededCentral, TOKENS } from './seeded-central.ts';

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });
const CAPTURE_FAILURE = 'capture failed: the ring never held the event frame';

interface Item {
  id: string;
  ruleType: string;
  firstTs: number;
  evidence: Record<string, string> | null;
}

describe('evidence view', { timeout: 120_000 }, () => {
  let rec: Recording;
  let s: SeededCentral;
  let browser: Browser;
  let page: Page;
  let w: PageWatch;
  let items: Item[];
  let pending: Item;
  let failed: Item;

  const detail = async (id: string) => (await s.call('viewer', 'GET', `/api/incidents/${id}`)).json;
  const go = async (id: string) => {
    await page.evaluate((x) => {
      location.hash = `#/incident/${x}`;
    }, id);
    await poll(() => shownId(page)).toBe(id);
  };

  beforeAll(async () => {
    rec = await recordedRun();
    s = await seededCentral(rec, {
      choose: (oldestFirst) => {
        pending = oldestFirst[0] as Item; // its clip is still on its way
        failed = oldestFirst[1] as Item; // the edge says its captures failed
        return {
          withhold: new Set([pending.evidence!.clip!]),
          fail: new Map(Object.values(failed.evidence ?? {}).map((id) => [id, CAPTURE_FAILURE])),
        };
      },
    });
    items = (await s.call('viewer', 'GET', '/api/incidents?limit=500')).json.items;
    browser = await launchBrowser();
    w = watch(browser.context);
    page = await browser.context.newPage();
    await signIn(page, s.central.url, TOKENS.viewer.token);
    await page.locator('article.incident').waitFor();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('the box follows the vehicle frame by frame: at each moment of the clip it is the timed box of that moment', async () => {
    // The incident with the most timed boxes inside its clip.
    type Detail = { evidenceStatus: Record<string, { startMs?: number }>; timeline: { boxes: number[][] } };
    let best: { id: string; d: Detail; inClip: number[][] } | undefined;
    for (const e of items.filter((x) => x.id !== pending.id && x.id !== failed.id)) {
      const d = (await detail(e.id)) as Detail;
      const start = d.evidenceStatus.clip?.startMs;
      if (typeof start !== 'number') continue;
      const inClip = d.timeline.boxes.filter((b) => b[0]! >= start && b[0]! <= start + 5000);
      if (!best || inClip.length > best.inClip.length) best = { id: e.id, d, inClip };
    }
    expect(best, 'an incident whose clip has a tagged start').toBeDefined();
    expect(best!.inClip.length).toBeGreaterThanOrEqual(5);
    await go(best!.id);
    const video = page.locator('video#clip');
    await video.waitFor();
    await page.waitForFunction(
      () => (document.querySelector('video#clip') as HTMLVideoElement).readyState >= 1,
    );
    const clipStart = best!.d.evidenceStatus.clip!.startMs as number;
    const samples = [
      best!.inClip[0]!,
      best!.inClip[Math.floor(best!.inClip.length / 2)]!,
      best!.inClip.at(-1)!,
    ];
    const seen: number[][] = [];
    for (const b of samples) {
      const t = (b[0]! - clipStart) / 1000 + 0.01;
      await page.evaluate(async (sec) => {
        const v = document.querySelector('video#clip') as HTMLVideoElement;
        v.pause();
        const done = new Promise((r) => v.addEventListener('seeked', r, { once: true }));
        v.currentTime = sec;
        await done;
      }, t);
      const rect = page.locator('.overlay-box');
      await poll(async () => {
        const wall = Number(await rect.getAttribute('data-wall-ms'));
        return Math.abs(wall - (clipStart + t * 1000)) < 50;
      }).toBe(true);
      const wall = Number(await rect.getAttribute('data-wall-ms'));
      const want = boxAt(best!.d.timeline.boxes, wall)!;
      const got = await rect.evaluate((r) =>
        ['x', 'y', 'width', 'height'].map((a) => Number(r.getAttribute(a))),
      );
      expect(await rect.getAttribute('visibility')).toBe('visible');
      expect(got[0]).toBeCloseTo(Math.min(want[0], want[2]), 3);
      expect(got[1]).toBeCloseTo(Math.min(want[1], want[3]), 3);
      expect(got[2]).toBeCloseTo(Math.abs(want[2] - want[0]), 3);
      seen.push(got);
    }
    // It moved: the first and last positions differ (a box fixed at its final position would not).
    expect(seen[0]).not.toEqual(seen[2]);
  });

  it('draws the rule geometry from the camera scene: the stop line and approach arrow of red light, the zone of zone dwell', async () => {
    const red = items.find((e) => e.ruleType === 'red_light' && e.id !== pending.id && e.id !== failed.id)!;
    await go(red.id);
    expect(await page.locator('.overlay polyline[data-line="stop-line"]').count()).toBe(1);
    expect(await page.locator('.overlay .overlay-arrow-approach').count()).toBe(1);
    expect(await page.locator('.details').textContent()).toContain('Vạch dừng trước vạch đi bộ');
    expect(await page.locator('#incident-title').textContent()).toBe(
      'Vượt đèn đỏ — Vượt đèn đỏ hướng Lê Lợi',
    );
    const dwell = items.find(
      (e) => e.ruleType === 'zone_dwell' && e.id !== pending.id && e.id !== failed.id,
    )!;
    await go(dwell.id);
    expect(await page.locator('.overlay polygon[data-zone="waiting-area"]').count()).toBe(1);
    expect(await page.locator('.details').textContent()).toContain('Khu vực chờ đèn');
  });

  it('shows the signal state of the moment on the video', async () => {
    const red = items.find((e) => e.ruleType === 'red_light' && e.id !== pending.id && e.id !== failed.id)!;
    await go(red.id);
    const badge = page.locator('[data-testid="signal-badge"]');
    await poll(() => badge.getAttribute('data-state')).toBe('red');
    expect(await badge.textContent()).toBe('Đèn: Đỏ');
  });

  it('opens the snapshot full size with zoom', async () => {
    await page.locator('.snapshot-btn[data-kind="snapshot"]').click();
    const img = page.locator('dialog.lightbox img');
    await page.waitForFunction(
      () => (document.querySelector('dialog.lightbox img') as HTMLImageElement)?.naturalWidth > 0,
    );
    expect(await img.evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(1920);
    await page.locator('dialog.lightbox .zoom-in').click();
    await page.locator('dialog.lightbox .zoom-in').click();
    expect(await page.locator('[data-testid="zoom-level"]').textContent()).toBe('200%');
    expect(await img.evaluate((i) => (i as HTMLElement).style.transform)).toContain('scale(2)');
    await page.keyboard.press('Escape');
    await poll(() => page.locator('dialog.lightbox').count()).toBe(0);
  });

  it('says why evidence is missing — the edge capture failure with its reason — and never requests the missing files', async () => {
    await go(failed.id);
    await poll(
      async () => (await page.locator('.missing-note[data-kind="clip"]').textContent()) ?? '',
    ).toContain(`Ghi hình thất bại: ${CAPTURE_FAILURE}`);
    expect(await page.locator('.missing-note[data-kind="snapshot"]').first().textContent()).toContain(
      'Ghi hình thất bại',
    );
    for (const id of Object.values(failed.evidence ?? {}))
      expect(w.requests.get(`/api/evidence/${id}`) ?? 0, id).toBe(0);
  });

  it('a clip still uploading says so, is not requested, and appears when its upload arrives (live update)', async () => {
    const clipId = pending.evidence!.clip!;
    await go(pending.id);
    await poll(
      async () => (await page.locator('.missing-note[data-kind="clip"]').textContent()) ?? '',
    ).toContain('Đang tải lên từ hộp edge');
    expect(w.requests.get(`/api/evidence/${clipId}`) ?? 0).toBe(0);
    const file = rec.evidence.find((e) => e.id === clipId)!;
    const res = await fetch(`${s.central.url}/api/evidence/${clipId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKENS.edge.token}`, 'content-type': 'video/mp4' },
      body: new Uint8Array(readFileSync(file.file)),
    });
    expect(res.status).toBe(201);
    await page.locator('video#clip').waitFor({ timeout: 20_000 });
    expect(await page.locator('.missing-note[data-kind="clip"]').count()).toBe(0);
    await poll(() => (w.requests.get(`/api/evidence/${clipId}`) ?? 0) > 0).toBe(true);
  });

  it('Z magnifies the picture around the box and back; a viewer cannot give verdicts', async () => {
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    // Z on the stage shown now. A live update (the clip uploaded in the test before, then its start time read)
    // may redraw the incident meanwhile and replace the stage: then Z is pressed again on the new one.
    const zoomTo = async (want: boolean): Promise<string> => {
      for (let attempt = 0; attempt < 4; attempt++) {
        const now = page.locator('.stage');
        if (attempt > 0 && (await now.evaluate((e) => e.classList.contains('zoomed'))) === want)
          return now.evaluate((e) => `${e.classList.contains('zoomed')} ${e.style.transformOrigin}`);
        await now.evaluate((e) => e.setAttribute('data-pressed', ''));
        await page.keyboard.press('z');
        const seen = page.locator('.stage[data-pressed]');
        await poll(async () =>
          (await seen.count()) === 0
            ? 'replaced'
            : String(await seen.evaluate((e) => e.classList.contains('zoomed'))),
        ).toMatch(new RegExp(`^(replaced|${want})$`));
        if ((await seen.count()) === 1)
          return seen.evaluate((e) => `${e.classList.contains('zoomed')} ${e.style.transformOrigin}`);
      }
      throw new Error('the incident was redrawn at every Z press');
    };
    expect(await zoomTo(true)).toMatch(/^true \S+% \S+%/);
    expect(await zoomTo(false)).toMatch(/^false/);
    expect(await page.locator('.verdict-btn[data-verdict="confirmed"]').isDisabled()).toBe(true);
    expect(await page.locator('.verdict').textContent()).toContain('Tài khoản chỉ có quyền xem.');
  });

  it('left no console errors and no 404', () => {
    expect(w.errors).toEqual([]);
    expect([...w.notFound]).toEqual([]);
  });
});
