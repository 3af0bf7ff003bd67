// Search and navigation on real incidents: deep links open any incident (also one outside the queue's filter)
// and hash changes navigate; the queue is a keyboard listbox reachable with Tab and the open incident is announced;
// a help overlay on ?; filters by reviewer and by a typed dd/mm/yyyy hh:mm range; Vietnamese names from config,
// localised merge reasons, 24-hour day/month times; and one corrupt incident row never blanks the queue.

import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './browser.ts';
import { type PageWatch, shownId, signIn, watch } from './page-watch.ts';
import { type Recording, recordedRun } from './recorded-edge-run.ts';
import { SECOND_CAMERA, type SeededCentral, seededCentral, TOKENS } from './seeded-central.ts';

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });

describe('search and navigation', { timeout: 120_000 }, () => {
  let rec: Recording;
  let s: SeededCentral;
  let browser: Browser;
  let page: Page;
  let w: PageWatch;
  let items: { id: string; firstTs: number; ruleType: string }[];
  let decided: string;
  let merged: string;

  const listTotal = async (q: string) =>
    (await s.call('viewer', 'GET', `/api/incidents?${q}&limit=1`)).json.total;
  const queueIds = () =>
    page.locator('#queue .queue-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));

  beforeAll(async () => {
    rec = await recordedRun();
    s = await seededCentral(rec, { group: 'nguyen-hue-le-loi' });
    items = (await s.call('viewer', 'GET', '/api/incidents?limit=500')).json.items;
    // Another reviewer already rejected one: it is outside the default "open" queue.
    decided = items[3]!.id;
    const v = (await s.call('viewer', 'GET', `/api/incidents/${decided}`)).json.version;
    expect(
      (
        await s.call('reviewer2', 'POST', `/api/incidents/${decided}/review`, {
          verdict: 'rejected',
          reason: 'duplicate',
          version: v,
        })
      ).status,
    ).toBe(200);
    // The same red-light crossing seen by the junction's second camera 100 ms later (the poles' clocks agree
    // within a frame): merged into one incident (camera group). The next runner starts 600 ms after it.
    const redStart = rec.events
      .map((e) => JSON.parse(e))
      .find((e) => e.ruleType === 'red_light' && e.phase === 'start');
    merged = redStart.id;
    await s.publish([
      JSON.stringify({
        ...redStart,
        id: `${redStart.id.slice(0, 30)}-c2`,
        camera: SECOND_CAMERA,
        evidence: undefined,
        ts: redStart.ts + 100,
        startTs: redStart.startTs + 100,
      }),
    ]);
    browser = await launchBrowser();
    w = watch(browser.context);
    page = await browser.context.newPage();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('a deep link opens exactly that incident, even one the queue filter leaves out, and keeps the address', async () => {
    await signIn(page, s.central.url, TOKENS.reviewer.token, `#/incident/${decided}`);
    await poll(() => shownId(page)).toBe(decided);
    expect(await queueIds()).not.toContain(decided); // the queue shows open incidents; the link still opened it
    expect(new URL(page.url()).hash).toBe(`#/incident/${decided}`);
    expect(await page.locator('article.incident').getAttribute('data-status')).toBe('rejected');
  });

  it('hash changes navigate (also the older #<id> form)', async () => {
    await page.evaluate((id) => {
      location.hash = `#/incident/${id}`;
    }, items[0]!.id);
    await poll(() => shownId(page)).toBe(items[0]!.id);
    await page.evaluate((id) => {
      location.hash = `#${id}`;
    }, items[1]!.id);
    await poll(() => shownId(page)).toBe(items[1]!.id);
    await page.goBack();
    await poll(() => shownId(page)).toBe(items[0]!.id);
  });

  it('the queue is a listbox reached with Tab; arrows, Home and End move and open; the open incident is announced', async () => {
    expect(await page.locator('#queue').getAttribute('role')).toBe('listbox');
    await page.locator('#f-quick').focus();
    await page.keyboard.press('Tab'); // the filter extension slot is empty: the next stop is the queue
    const focused = () => page.evaluate(() => document.activeElement?.closest('#queue') !== null);
    for (let i = 0; i < 3 && !(await focused()); i++) await page.keyboard.press('Tab');
    expect(await focused(), await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120))).toBe(
      true,
    );
    const ids = (await queueIds()) as string[];
    await page.keyboard.press('Home');
    await poll(() => shownId(page)).toBe(ids[0]);
    await page.keyboard.press('ArrowDown');
    await poll(() => shownId(page)).toBe(ids[1]);
    expect(await page.locator(`#queue [data-id="${ids[1]}"]`).getAttribute('aria-selected')).toBe('true');
    expect(await focused()).toBe(true);
    await page.keyboard.press('End');
    await poll(() => shownId(page)).toBe(ids.at(-1));
    const announced = (await page.locator('#announce').textContent()) ?? '';
    expect(announced).toMatch(
      /^Đang mở: .+, Ngã tư Nguyễn Huệ – Lê Lợi, \d\d\/\d\d\/\d{4} \d\d:\d\d, Chờ duyệt$/,
    );
  });

  it('? opens the keyboard help; Escape closes it', async () => {
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('?');
    await poll(() => page.locator('dialog.help').isVisible()).toBe(true);
    const keys = await page.locator('dialog.help dt').allTextContents();
    expect(keys).toEqual(expect.arrayContaining(['J / K', 'C', 'U', '?']));
    expect(await page.locator('dialog.help').textContent()).toContain('Hoàn tác kết luận vừa rồi');
    await page.keyboard.press('Escape');
    await poll(() => page.locator('dialog.help').count()).toBe(0);
  });

  it('filters by reviewer and status', async () => {
    await page.locator('#f-status').selectOption('');
    await page.locator('#f-reviewer').selectOption(TOKENS.reviewer2.name);
    await poll(() => queueIds()).toEqual([decided]);
    await page.locator('#f-reviewer').selectOption('');
    await page.locator('#f-status').selectOption('open');
  });

  it('filters by a time range typed as dd/mm/yyyy hh:mm (24-hour); a wrong date is flagged', async () => {
    const times = items.map((i) => i.firstTs).sort((a, b) => a - b);
    const mid = times[Math.floor(times.length / 2)]!;
    const from = new Date(Math.floor(mid / 60_000) * 60_000);
    const p2 = (n: number) => String(n).padStart(2, '0');
    // The browser runs in Asia/Ho_Chi_Minh (launchBrowser), so the typed time is that zone's.
    const typed = new Intl.DateTimeFormat('vi-VN', {
      timeZone: 'Asia/Ho_Chi_Minh',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(from);
    const part = (t: string) => typed.find((x) => x.type === t)!.value;
    await page
      .locator('#f-from')
      .fill(`${part('day')}/${part('month')}/${part('year')} ${part('hour')}:${part('minute')}`);
    await page.locator('#f-from').dispatchEvent('change');
    const want = await listTotal(`status=open&from=${from.getTime()}`);
    expect(want).toBeGreaterThan(0);
    expect(want).toBeLessThan(items.length);
    await poll(async () => (await queueIds()).length).toBe(want);
    await page.locator('#f-to').fill('31/02/2026 25:00');
    await page.locator('#f-to').dispatchEvent('change');
    expect(await page.locator('#f-to').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#f-clear').click();
    await poll(async () => (await queueIds()).length).toBe(await listTotal('status=open'));
    expect(p2(1)).toBe('01');
  });

  it('speaks Vietnamese: config names for rules, zones and lines, merge reasons, 24-hour day/month times', async () => {
    await page.evaluate((id) => {
      location.hash = `#/incident/${id}`;
    }, merged);
    await poll(() => shownId(page)).toBe(merged);
    expect(await page.locator('#incident-title').textContent()).toBe(
      'Vượt đèn đỏ — Vượt đèn đỏ hướng Lê Lợi',
    );
    expect(await page.locator('.details').textContent()).toContain('Vạch dừng trước vạch đi bộ');
    const reasons = await page.locator('.merges li').allTextContents();
    expect(reasons.length).toBeGreaterThan(0);
    expect(
      reasons.some((r) => /^Ghép từ camera cùng nhóm Ngã tư Nguyễn Huệ – Lê Lợi \(cột 2\), cách /.test(r)),
    ).toBe(true);
    expect(reasons.join(' ')).not.toMatch(/merge|joined|camera group/i); // not the server's English text
    const times = await page.locator('#queue time').allTextContents();
    expect(times.length).toBeGreaterThan(3);
    for (const t of times) expect(t).toMatch(/^\d\d\/\d\d ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/);
  });

  it('a new incident arrives live at the top of the queue, highlighted, with a notice', async () => {
    const before = (await queueIds()).length;
    const src = rec.events
      .map((e) => JSON.parse(e))
      .find((e) => e.ruleType === 'zone_dwell' && e.phase === 'start');
    const now = Date.now();
    const fresh = {
      ...src,
      id: 'live-arrival-0001',
      ts: now,
      startTs: now,
      evidence: undefined,
      track: undefined,
    };
    await s.publish([JSON.stringify(fresh)]);
    await poll(async () => (await queueIds())[0]).toBe('live-arrival-0001');
    expect((await queueIds()).length).toBe(before + 1);
    expect(await page.locator('#queue [data-id="live-arrival-0001"]').getAttribute('class')).toContain(
      'fresh',
    );
    expect(await page.locator('#toast').textContent()).toContain(
      'Sự cố mới: Dừng lâu trong vùng — Dừng lâu ở khu chờ',
    );
  });

  it('an incident row with a broken field (ts 1e300, no box, no evidence map) does not blank the queue', async () => {
    const db = new Database(path.join(s.dir, 'central.sqlite'));
    const bad = items[2]!.id;
    db.prepare(
      "UPDATE incidents SET first_ts = 1e300, box = '[]', evidence = 'null', details = '{\"speedKmh\": \"fast\"}' WHERE id = ?",
    ).run(bad);
    db.close();
    await page.reload();
    await page.locator('#shell').waitFor({ state: 'visible' });
    await poll(async () => (await queueIds()).length).toBe(await listTotal('status=open'));
    const ids = await queueIds();
    expect(ids).toContain(bad);
    expect(await page.locator(`#queue [data-id="${bad}"] .queue-line3`).textContent()).toContain('—');
    // The other rows are drawn normally.
    expect(await page.locator('#queue .queue-item:not(.bad) .queue-rule').count()).toBeGreaterThanOrEqual(
      ids.length - 1,
    );
  });

  it('left no console errors and no 404', () => {
    expect(w.errors).toEqual([]);
    expect([...w.notFound]).toEqual([]);
  });
});
