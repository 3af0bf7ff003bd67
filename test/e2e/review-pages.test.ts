// The statistics and cameras pages and the responsive layout, on real incidents: every number on the statistics
// page (cards, tables, chart data) equals GET /api/stats; the offline map plots each camera with a position inside
// the site outline; each camera's frame is drawn with its zones and lines; at 390x844 verdict, evidence and queue
// stack in that order without horizontal scrolling, at 1366x768 they sit side by side on one screen.
// MATTHAN_SCREENSHOT_DIR=docs/screenshots refreshes the README's screenshots.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatter } from '../../central/ui/public/format.js';
import { type Browser, launchBrowser } from './browser.ts';
import { type PageWatch, shownId, signIn, watch } from './page-watch.ts';
import { CAMERA, recordedRun, SITE } from './recorded-edge-run.ts';
import { type SeededCentral, seededCentral, TOKENS } from './seeded-central.ts';

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });
const SHOTS = process.env.MATTHAN_SCREENSHOT_DIR;
const TZ = 'Asia/Ho_Chi_Minh';

describe('statistics, cameras and layout', { timeout: 120_000 }, () => {
  let s: SeededCentral;
  let browser: Browser;
  let page: Page;
  let w: PageWatch;
  const shot = async (name: string, fullPage = false) => {
    if (SHOTS) await page.screenshot({ path: path.resolve(SHOTS, name), fullPage });
  };

  beforeAll(async () => {
    s = await seededCentral(await recordedRun(), { group: 'nguyen-hue-le-loi' });
    const items = (await s.call('viewer', 'GET', '/api/incidents?limit=500')).json.items as {
      id: string;
      version: number;
    }[];
    // A few verdicts so the review figures have something to say.
    const verdicts = [
      { verdict: 'confirmed' },
      { verdict: 'confirmed', handlingMs: 42_000 },
      { verdict: 'rejected', reason: 'not_violation', handlingMs: 18_000 },
    ];
    for (const [i, v] of verdicts.entries())
      expect(
        (
          await s.call('reviewer', 'POST', `/api/incidents/${items[i + 4]!.id}/review`, {
            ...v,
            version: items[i + 4]!.version,
          })
        ).status,
      ).toBe(200);
    browser = await launchBrowser();
    w = watch(browser.context);
    page = await browser.context.newPage();
    await signIn(page, s.central.url, TOKENS.reviewer.token);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('1366x768: queue, evidence and verdict side by side, all on one screen', async () => {
    await page.locator('article.incident video#clip').waitFor();
    await page.waitForFunction(
      () => (document.querySelector('video#clip') as HTMLVideoElement).readyState >= 2,
    );
    const q = (await page.locator('#queue').boundingBox())!;
    const player = (await page.locator('.player').boundingBox())!;
    const verdict = (await page.locator('.verdict').boundingBox())!;
    expect(q.x + q.width).toBeLessThanOrEqual(player.x + 1);
    expect(player.x + player.width).toBeLessThanOrEqual(verdict.x + 1);
    for (const b of [player, verdict]) expect(b.y + b.height).toBeLessThanOrEqual(768);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    await shot('review-1366.png');
  });

  it('390x844: verdict, then evidence, then queue, stacked, no horizontal scroll, verdict buttons on the first screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await poll(async () => (await page.locator('.verdict').boundingBox())!.width <= 390).toBe(true);
      const verdict = (await page.locator('.verdict').boundingBox())!;
      const player = (await page.locator('.player').boundingBox())!;
      const q = (await page.locator('#queue').boundingBox())!;
      expect(verdict.y + verdict.height).toBeLessThanOrEqual(player.y + 1);
      expect(player.y + player.height).toBeLessThanOrEqual(q.y + 1);
      expect(player.width).toBeGreaterThan(300);
      const buttons = (await page.locator('.verdict-btn[data-verdict="confirmed"]').boundingBox())!;
      expect(buttons.y + buttons.height).toBeLessThanOrEqual(844);
      expect(buttons.height).toBeGreaterThanOrEqual(40); // a thumb-sized target
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await shot('review-390.png', true);
    } finally {
      await page.setViewportSize({ width: 1366, height: 768 });
    }
  });

  it('statistics: every card, table and chart equals GET /api/stats', async () => {
    await page.locator('a[data-view="stats"]').click();
    await page.locator('.stat-card[data-stat="total"]').waitFor();
    const stats = (await s.call('viewer', 'GET', `/api/stats?from=${Date.now() - 7 * 86_400_000}`)).json;
    const fmt = formatter('vi');
    const card = async (k: string) =>
      (await page.locator(`.stat-card[data-stat="${k}"] .stat-value`).textContent())?.trim();
    expect(await card('total')).toBe(String(stats.total));
    expect(stats.review.confirmed).toBe(2);
    expect(stats.review.rejected).toBe(1);
    expect(await card('confirmationRate')).toBe(fmt.pct(2 / 3));
    expect(await card('medianTimeToVerdict')).toBe(fmt.duration(stats.review.medianTimeToVerdictMs));
    expect(await card('medianHandling')).toBe(fmt.duration(30_000)); // median of 42 s and 18 s
    const table = (k: string) =>
      page
        .locator(`table[data-table="${k}"] tbody tr`)
        .evaluateAll((rows) =>
          rows.map((r) => [r.children[0]!.textContent, Number(r.children[1]!.textContent)]),
        );
    const chart = (k: string) =>
      page.evaluate((key) => {
        const c = (
          globalThis as unknown as {
            Chart: { getChart(el: Element): { data: { labels: string[]; datasets: { data: number[] }[] } } };
          }
        ).Chart.getChart(document.querySelector(`canvas[data-chart="${key}"]`)!);
        return { labels: c.data.labels, data: c.data.datasets[0]!.data };
      }, k);
    const ruleVi: Record<string, string> = { red_light: 'Vượt đèn đỏ', zone_dwell: 'Dừng lâu trong vùng' };
    const byRule = stats.byRule.map((r: { ruleType: string; count: number }) => [
      ruleVi[r.ruleType],
      r.count,
    ]);
    expect(await table('byRule')).toEqual(byRule);
    expect(await chart('byRule')).toEqual({
      labels: byRule.map((r: unknown[]) => r[0]),
      data: byRule.map((r: unknown[]) => r[1]),
    });
    expect((await table('byCamera')).map((r) => r[1])).toEqual(
      stats.byCamera.map((c: { count: number }) => c.count),
    );
    // Hour of day in the workstation's zone, from the API's UTC hour buckets.
    const hours = Array.from({ length: 24 }, () => 0);
    for (const b of stats.byHour as { hour: number; count: number }[])
      hours[
        Number(
          new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', hourCycle: 'h23' }).format(
            b.hour,
          ),
        )
      ]! += b.count;
    expect((await chart('byHour')).data).toEqual(hours);
    expect((await table('byDay')).reduce((a, r) => a + (r[1] as number), 0)).toBe(stats.total);
    await shot('statistics.png');
  });

  it("cameras: the offline map plots the camera inside the site outline; its live view (from the edge's ring) is drawn with its zones and lines", async () => {
    await page.locator('a[data-view="cameras"]').click();
    const marker = page.locator(`.map-marker[data-camera="${CAMERA}"]`);
    await marker.waitFor();
    expect(await marker.getAttribute('data-lat')).toBe('10.77413');
    expect(await marker.getAttribute('data-lon')).toBe('106.70036');
    expect(await page.locator('.map-marker').count()).toBe(1);
    const m = (await marker.locator('circle').boundingBox())!;
    const outline = (await page.locator('.map-outline').boundingBox())!;
    expect(m.x).toBeGreaterThan(outline.x);
    expect(m.x + m.width).toBeLessThan(outline.x + outline.width);
    expect(m.y).toBeGreaterThan(outline.y);
    expect(m.y + m.height).toBeLessThan(outline.y + outline.height);
    expect(await page.locator('.map').textContent()).toContain('1 camera chưa có toạ độ'); // the second pole's
    const card = page.locator(`.scene-card[data-camera="${CAMERA}"]`);
    expect(await card.locator('polyline[data-line="stop-line"]').count()).toBe(1);
    expect(await card.locator('polygon[data-zone="waiting-area"]').count()).toBe(1);
    await page.waitForFunction(
      () => (document.querySelector('.scene-card img') as HTMLImageElement)?.naturalWidth > 0,
    );
    // The live view the edge grabbed from its ring (scaled to 1280 px), not the 1920 px frame of an incident.
    expect(await card.locator('img').getAttribute('data-source')).toBe('view');
    expect(await card.locator('img').getAttribute('src')).toMatch(
      new RegExp(`^/api/cameras/${SITE}/${CAMERA}/view\\.jpg\\?v=[0-9a-f]{16}$`),
    );
    expect(await card.locator('img').evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(1280);
    expect(await card.textContent()).toContain('Hình ảnh trực tiếp lúc');
    expect(await card.textContent()).toContain('Vạch dừng trước vạch đi bộ');
    await shot('cameras.png', true);
  });

  it('the review page again, with the help overlay (screenshot) and the English switch', async () => {
    await page.locator('a[data-view="review"]').click();
    await poll(async () => (await shownId(page)) !== null).toBe(true);
    await page.locator('#lang').selectOption('en');
    await poll(
      async () => (await page.locator('.verdict-btn[data-verdict="confirmed"]').textContent()) ?? '',
    ).toContain('Confirm');
    expect(await page.locator('.reasons label').first().textContent()).toContain('Not a violation');
    await page.locator('#lang').selectOption('vi');
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('?');
    await page.locator('dialog.help').waitFor();
    await shot('help.png');
    await page.keyboard.press('Escape');
  });

  it('left no console errors and no 404', () => {
    expect(w.errors).toEqual([]);
    expect([...w.notFound]).toEqual([]);
  });
});
