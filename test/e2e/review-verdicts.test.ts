// Verdict safety in headless Chromium on real incidents (the real edge's events and evidence): a second C within
// the transition and a held C decide one incident only; undo by U and by the toast; the note box is per
// incident; reject needs a reason code (other needs a note); confirming without the clip needs the override and a
// note; a live change of the incident on screen is what the verdict applies to.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './browser.ts';
import { type PageWatch, shownId, signIn, watch } from './page-watch.ts';
import { type Recording, recordedRun } from './recorded-edge-run.ts';
import { type SeededCentral, seededCentral, TOKENS } from './seeded-central.ts';

/** Polls with a deadline that tolerates a loaded 2-core machine (the default is 1 s). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });

describe('verdicts in the review page', { timeout: 120_000 }, () => {
  let rec: Recording;
  let s: SeededCentral;
  let browser: Browser;
  let page: Page;
  let w: PageWatch;
  /** The incident whose clip is withheld: the oldest one, so the tests walking from the top reach it last. */
  let noClipId: string;

  const text = async (sel: string) => (await page.locator(sel).first().textContent())?.trim() ?? '';
  const detail = async (id: string) => (await s.call('viewer', 'GET', `/api/incidents/${id}`)).json;
  const statusOf = async (id: string) => (await detail(id)).status as string;
  const countWith = async (status: string) =>
    (await s.call('viewer', 'GET', `/api/incidents?status=${status}&limit=1`)).json.total as number;
  /** Waits until verdict keys count for the incident on screen (the guard's transition is over). */
  const keysReady = () =>
    page.waitForFunction(() => {
      const a = document.querySelector('article.incident') as HTMLElement | null;
      return a !== null && performance.now() > Number(a.dataset.keysFrom ?? Number.POSITIVE_INFINITY);
    });
  /** Waits for a different incident than `id` to be on screen, with its lock taken. */
  const movedFrom = async (id: string) => {
    await poll(() => shownId(page)).not.toBe(id);
    const now = (await shownId(page))!;
    await poll(async () => (await detail(now)).lock?.reviewer).toBe(TOKENS.reviewer.name);
    return now;
  };

  beforeAll(async () => {
    rec = await recordedRun();
    // The clip of the incident that started first is never uploaded (its box is still sending it).
    const first = rec.events.map((e) => JSON.parse(e)).sort((a, b) => a.startTs - b.startTs)[0];
    s = await seededCentral(rec, { withhold: (id) => id === first.evidence?.clip });
    noClipId = first.id;
    browser = await launchBrowser();
    w = watch(browser.context);
    page = await browser.context.newPage();
    await signIn(page, s.central.url, TOKENS.reviewer.token);
    await page.locator('article.incident').waitFor();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('has real incidents: a red light or zone dwell with clip, snapshots, timed boxes and the camera scene', async () => {
    const list = (await s.call('viewer', 'GET', '/api/incidents?limit=500')).json;
    expect(list.total).toBeGreaterThanOrEqual(10);
    const d = await detail((await shownId(page))!);
    expect(d.evidenceStatus.clip.state).toBe('available');
    expect(d.timeline.boxes.length).toBeGreaterThan(3);
    expect(d.scene.lines.map((l: { id: string }) => l.id)).toContain('stop-line');
  });

  it('two C presses 150 ms apart confirm only the incident on screen; the next one stays open', async () => {
    const a = (await shownId(page))!;
    await keysReady();
    const before = await countWith('confirmed');
    // The double press is timed on the page's own clock (a loaded machine would stretch a gap timed from the
    // test process): keydown C, and 150 ms later keydown C again.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const press = () =>
            document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'c', bubbles: true }));
          press();
          setTimeout(() => {
            press();
            resolve();
          }, 150);
        }),
    );
    const b = await movedFrom(a);
    expect(await statusOf(a)).toBe('confirmed');
    expect(await statusOf(b)).toBe('open');
    expect(await countWith('confirmed')).toBe(before + 1);
    // The stored verdict names the version that was on screen.
    const va = await detail(a);
    expect(va.reviews.at(-1)).toMatchObject({
      kind: 'verdict',
      verdict: 'confirmed',
      incidentVersion: expect.any(Number),
    });
    // The incident is frozen from its verdict on: the version stored is the version that is still shown.
    expect(va.reviews.at(-1).incidentVersion).toBe(va.version);
  });

  it('holding C (key auto-repeat) confirms one incident, not six', async () => {
    const b = (await shownId(page))!;
    await keysReady();
    const before = await countWith('confirmed');
    await page.keyboard.down('c');
    for (let i = 0; i < 6; i++) {
      await page.waitForTimeout(120); // the keyboard's repeat rate while the key is held
      await page.keyboard.down('c'); // playwright sends these with repeat: true, as a held key does
    }
    await page.keyboard.up('c');
    const c = await movedFrom(b);
    expect(await statusOf(b)).toBe('confirmed');
    expect(await statusOf(c)).toBe('open');
    expect(await countWith('confirmed')).toBe(before + 1);
  });

  it('U undoes the last verdict within 10 s: the incident is open again, shown again, and the undo is in its history', async () => {
    const x = (await shownId(page))!;
    await keysReady();
    await page.keyboard.press('c');
    await movedFrom(x);
    await poll(() => page.locator('#toast .toast-action').isVisible()).toBe(true);
    await page.keyboard.press('u');
    await poll(() => statusOf(x)).toBe('open');
    await poll(() => shownId(page)).toBe(x);
    const hist = (await detail(x)).reviews.map(
      (r: { kind: string; verdict: string }) => `${r.kind}:${r.verdict}`,
    );
    expect(hist).toEqual(['verdict:confirmed', 'undo:open']);
    await poll(() => page.locator('.history li[data-kind="undo"]').count()).toBe(1);
  });

  it('the toast button undoes too', async () => {
    const x = (await shownId(page))!;
    await keysReady();
    await page.keyboard.press('c');
    await movedFrom(x);
    await page.locator('#toast .toast-action').click();
    await poll(() => statusOf(x)).toBe('open');
    await poll(() => shownId(page)).toBe(x); // the undone incident is shown again
  });

  it('reject needs a localised reason code; "other" needs a note', async () => {
    const x = (await shownId(page))!;
    await keysReady();
    const labels = await page.locator('.reasons label').allTextContents();
    expect(labels.map((l) => l.replace(/^\d/, ''))).toEqual([
      'Không phải vi phạm',
      'Nhầm phương tiện',
      'Hình ảnh không rõ',
      'Trùng lặp',
      'Khác (ghi chú)',
    ]);
    await page.keyboard.press('r');
    await poll(() => text('.verdict-hint')).toBe('Chọn lý do bác bỏ trước (phím 1–5)');
    expect(await statusOf(x)).toBe('open');
    await page.locator('body').press('5');
    await page.keyboard.press('r');
    await poll(() => text('.verdict-hint')).toBe('Lý do "Khác" cần ghi chú');
    expect(await statusOf(x)).toBe('open');
    await page.locator('#verdict-note').fill('xe cứu thương được ưu tiên');
    await page.locator('#verdict-note').press('Escape');
    await page.keyboard.press('r');
    await movedFrom(x);
    const last = (await detail(x)).reviews.at(-1);
    expect(last).toMatchObject({ verdict: 'rejected', reason: 'other', note: 'xe cứu thương được ưu tiên' });
  });

  it('a rejection note stays with its incident: the next one starts with an empty note and confirms without it', async () => {
    const p = (await shownId(page))!;
    await keysReady();
    await page.keyboard.press('n');
    await page.keyboard.type('Không phải vi phạm: xe đang chờ đèn');
    await page.keyboard.press('Escape');
    await page.keyboard.press('1');
    await page.keyboard.press('r');
    const q = await movedFrom(p);
    expect(await page.locator('#verdict-note').inputValue()).toBe('');
    expect(await page.locator('.reasons input:checked').count()).toBe(0);
    await keysReady();
    await page.keyboard.press('c');
    await movedFrom(q);
    expect((await detail(p)).reviews.at(-1)).toMatchObject({
      verdict: 'rejected',
      reason: 'not_violation',
      note: 'Không phải vi phạm: xe đang chờ đèn',
    });
    expect((await detail(q)).reviews.at(-1)).toMatchObject({
      verdict: 'confirmed',
      note: null,
      reason: null,
    });
  });

  it('a live change of the incident on screen redraws it; the verdict then names the new version', async () => {
    const x = (await shownId(page))!;
    await keysReady();
    const v0 = Number(await page.locator('article.incident').getAttribute('data-version'));
    const own = rec.events.map((e) => JSON.parse(e)).filter((e) => e.id === x);
    const lastMsg = own.sort((a, b) => b.seq - a.seq)[0];
    await s.publish([
      JSON.stringify({ ...lastMsg, phase: 'update', seq: lastMsg.seq + 40, ts: lastMsg.ts + 1 }),
    ]);
    await poll(async () =>
      Number(await page.locator('article.incident').getAttribute('data-version')),
    ).toBeGreaterThan(v0);
    const v1 = Number(await page.locator('article.incident').getAttribute('data-version'));
    await keysReady();
    await page.keyboard.press('c');
    await movedFrom(x);
    expect((await detail(x)).reviews.at(-1)).toMatchObject({ verdict: 'confirmed', incidentVersion: v1 });
  });

  it('confirming without the clip needs the override and a note; the override is recorded', async () => {
    await page.evaluate((id) => {
      location.hash = `#/incident/${id}`;
    }, noClipId);
    await poll(() => shownId(page)).toBe(noClipId);
    await poll(() => text('.missing-note[data-kind="clip"]')).toContain('Đang tải lên từ hộp edge');
    await keysReady();
    await page.keyboard.press('c');
    await poll(() => text('.verdict-hint')).toContain('Thiếu ảnh hoặc video');
    expect(await statusOf(noClipId)).toBe('open');
    await page.locator('#verdict-override').check();
    await page.keyboard.press('c'); // the checkbox has focus: C is not typed into anything
    await poll(() => text('.verdict-hint')).toContain('Thiếu ảnh hoặc video');
    expect(await statusOf(noClipId)).toBe('open');
    await page.locator('#verdict-note').fill('Đã xem trực tiếp trên camera');
    await page.locator('#verdict-note').press('Escape');
    await page.keyboard.press('c');
    await poll(() => statusOf(noClipId)).toBe('confirmed');
    expect((await detail(noClipId)).reviews.at(-1)).toMatchObject({
      override: true,
      note: 'Đã xem trực tiếp trên camera',
    });
  });

  it('left no console errors and no 404 behind', () => {
    expect([...w.notFound]).toEqual([]);
    expect(w.errors).toEqual([]);
  });
});
