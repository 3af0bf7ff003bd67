// Two reviewers in two browsers on real incidents: the work queue hands each the oldest open incident nobody else
// holds (soft lock), the other reviewer sees the lock and cannot decide it; bulk verdicts over a filtered
// selection need the count typed back and skip what another reviewer holds.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './browser.ts';
import { type PageWatch, shownId, signIn, watch } from './page-watch.ts';
import { recordedRun } from './recorded-edge-run.ts';
import { type SeededCentral, seededCentral, TOKENS } from './seeded-central.ts';

/** Polls with a deadline that tolerates a loaded 2-core machine (the default is 1 s). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });

describe('soft locks, work queue and bulk verdicts', { timeout: 120_000 }, () => {
  let s: SeededCentral;
  let browserA: Browser;
  let browserB: Browser;
  let a: Page;
  let b: Page;
  let wa: PageWatch;
  let wb: PageWatch;
  let oldestFirst: string[] = [];

  const detail = async (id: string) => (await s.call('viewer', 'GET', `/api/incidents/${id}`)).json;
  const keysReady = (page: Page) =>
    page.waitForFunction(() => {
      const el = document.querySelector('article.incident') as HTMLElement | null;
      return el !== null && performance.now() > Number(el.dataset.keysFrom ?? Number.POSITIVE_INFINITY);
    });
  const workMode = async (page: Page) => {
    await page.locator('#mode').selectOption('work');
    await poll(() => page.locator('#work-skip').isVisible()).toBe(true);
  };

  beforeAll(async () => {
    const rec = await recordedRun();
    s = await seededCentral(rec);
    const list = (await s.call('viewer', 'GET', '/api/incidents?status=open&order=oldest&limit=500')).json;
    oldestFirst = list.items.map((i: { id: string }) => i.id);
    browserA = await launchBrowser();
    browserB = await launchBrowser();
    wa = watch(browserA.context);
    wb = watch(browserB.context);
    a = await browserA.context.newPage();
    b = await browserB.context.newPage();
    await signIn(a, s.central.url, TOKENS.reviewer.token);
    await signIn(b, s.central.url, TOKENS.reviewer2.token);
  }, 600_000);

  afterAll(async () => {
    await browserA?.close();
    await browserB?.close();
    await s?.stop();
  });

  it('the work queue gives each reviewer a different incident, oldest first, locked to them', async () => {
    await workMode(a);
    await poll(() => shownId(a)).toBe(oldestFirst[0]);
    await poll(async () => (await detail(oldestFirst[0]!)).lock?.reviewer).toBe(TOKENS.reviewer.name);
    await workMode(b);
    await poll(() => shownId(b)).toBe(oldestFirst[1]);
    expect((await detail(oldestFirst[1]!)).lock.reviewer).toBe(TOKENS.reviewer2.name);
    // The queue in work mode lists oldest first, like the server hands them out.
    const rows = await a
      .locator('#queue .queue-item')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(rows.slice(0, 3)).toEqual(oldestFirst.slice(0, 3));
  });

  it("B opening A's incident sees who holds it and cannot decide it, by key or through the API", async () => {
    const x = oldestFirst[0]!;
    await b.evaluate((id) => {
      location.hash = `#/incident/${id}`;
    }, x);
    await poll(() => shownId(b)).toBe(x);
    await poll(async () => (await b.locator('.lock-banner').textContent()) ?? '').toContain(
      TOKENS.reviewer.name,
    );
    expect(await b.locator('.verdict-btn[data-verdict="confirmed"]').isDisabled()).toBe(true);
    await keysReady(b);
    await b.keyboard.press('c');
    const refused = await s.call('reviewer2', 'POST', `/api/incidents/${x}/review`, {
      verdict: 'confirmed',
      version: (await detail(x)).version,
    });
    expect(refused.status).toBe(423);
    expect(refused.json.heldBy.reviewer).toBe(TOKENS.reviewer.name);
    expect((await detail(x)).status).toBe('open');
    // B's queue marks it as being reviewed by A.
    await poll(
      async () => (await b.locator(`#queue [data-id="${x}"] .lock-mark`).textContent()) ?? '',
    ).toContain(TOKENS.reviewer.name);
    // B goes back to its own incident and holds it again.
    await b.evaluate((id) => {
      location.hash = `#/incident/${id}`;
    }, oldestFirst[1]);
    await poll(async () => (await detail(oldestFirst[1]!)).lock?.reviewer).toBe(TOKENS.reviewer2.name);
  });

  it('A decides its incident and gets the next one nobody holds (not the one B holds)', async () => {
    const x = oldestFirst[0]!;
    await keysReady(a);
    await a.keyboard.press('c');
    await poll(async () => (await detail(x)).status).toBe('confirmed');
    await poll(() => shownId(a)).toBe(oldestFirst[2]);
    expect((await detail(oldestFirst[1]!)).lock?.reviewer).toBe(TOKENS.reviewer2.name);
  });

  it('bulk: the count must be typed back; incidents another reviewer holds are skipped; each verdict is recorded as bulk', async () => {
    // B holds oldestFirst[1] (its work-queue incident); A bulk-rejects the open zone-dwell incidents.
    await poll(async () => (await detail(oldestFirst[1]!)).lock?.reviewer).toBe(TOKENS.reviewer2.name);
    await a.locator('#mode').selectOption('browse');
    await a.locator('#f-rule').selectOption('zone_dwell');
    const open = (await s.call('viewer', 'GET', '/api/incidents?status=open&rule=zone_dwell&limit=500')).json
      .items as {
      id: string;
      lockedBy?: string;
    }[];
    const eligible = open.filter((i) => !i.lockedBy || i.lockedBy === TOKENS.reviewer.name);
    expect(eligible.length).toBeGreaterThan(1);
    await a.locator('#bulk-open').click();
    await a.locator('#bulk-count').waitFor();
    expect(await a.locator('#bulk-summary').textContent()).toContain(`${eligible.length} sự cố`);
    await a.locator('#bulk-reason').selectOption('duplicate');
    await a.locator('#bulk-count').fill(String(eligible.length + 1));
    expect(await a.locator('#bulk-apply').isDisabled()).toBe(true);
    await a.locator('#bulk-count').fill(String(eligible.length));
    expect(await a.locator('#bulk-apply').isDisabled()).toBe(false);
    await a.locator('#bulk-apply').click();
    await poll(async () => (await a.locator('.bulk-result').textContent()) ?? '').toContain(`Đã áp dụng`);
    for (const inc of eligible) {
      const d = await detail(inc.id);
      expect(d.status, inc.id).toBe('rejected');
      expect(d.reviews.at(-1)).toMatchObject({
        reason: 'duplicate',
        bulk: true,
        reviewer: TOKENS.reviewer.name,
      });
    }
    // The incident B holds was not in A's selection and is untouched.
    expect((await detail(oldestFirst[1]!)).status).toBe('open');
    await a.keyboard.press('Escape');
  });

  it('the server refuses a bulk verdict whose count does not match', async () => {
    const ids = oldestFirst.slice(-2);
    const r = await s.call('reviewer', 'POST', '/api/incidents/bulk-review', {
      ids,
      expectedCount: 3,
      verdict: 'rejected',
      reason: 'duplicate',
    });
    expect(r.status).toBe(422);
    expect(r.json.error).toBe('count_mismatch');
  });

  it('left no console errors and no 404 in either browser', () => {
    expect([...wa.errors, ...wb.errors].filter((e) => !e.includes('423'))).toEqual([]);
    expect([...wa.notFound, ...wb.notFound]).toEqual([]);
  });
});
