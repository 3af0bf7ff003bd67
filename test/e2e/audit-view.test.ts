// The audit log view in headless Chromium: only an admin sees it; it lists the sign-ins and verdicts and shows
// the hash chain's state.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { Topics } from '../../contract/index.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { type Browser, launchBrowser } from './browser.ts';

describe('audit log view', { timeout: 120_000 }, () => {
  const dir = tempDir('matthan-audit-ui-');
  const creds = new TestCredentials();
  const admin = creds.person('admin', 'Quản trị');
  const reviewer = creds.person('reviewer', 'Trần Thị Duyệt');
  let central: CentralHandle;
  let browser: Browser;

  const signIn = async (token: string): Promise<Page> => {
    await browser.context.clearCookies(); // one browser profile: start each user signed out
    const page = await browser.context.newPage();
    await page.goto(central.url);
    await page.fill('#login-token', token);
    await page.click('#login-form button[type=submit]');
    await expect.poll(() => page.locator('#shell').isVisible(), { timeout: 10_000 }).toBe(true);
    return page;
  };

  beforeAll(async () => {
    central = await startCentral(
      defaultCentralConfig({
        ...creds.central(),
        http: { host: '127.0.0.1', port: 0 },
        broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
        database: { path: path.join(dir, 'central.sqlite') },
      }),
    );
    const e = sampleEvent({ id: 'evt_audit_ui_0001', ts: Date.now(), startTs: Date.now() });
    expect(central.ingest.handle(Topics.events(e.site, e.camera), Buffer.from(JSON.stringify(e)))).toBe(
      'stored',
    );
    const r = await fetch(`${central.url}/api/incidents/${e.id}/review`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reviewer.token}`, 'content-type': 'application/json' },
      // No evidence was uploaded: confirming needs the override and a note (the review workstation's rule).
      body: JSON.stringify({ verdict: 'confirmed', override: true, note: 'checked on the live view' }),
    });
    expect(r.status).toBe(200);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await central?.stop();
  });

  it('is not offered to a reviewer', async () => {
    const page = await signIn(reviewer.token);
    expect(await page.locator('a[data-view="audit"]').isVisible()).toBe(false);
    await page.close();
  });

  it("shows an admin the verdict with the version seen, the sign-ins, and the chain's state", async () => {
    const page = await signIn(admin.token);
    await page.click('a[data-view="audit"]');
    await expect.poll(() => page.locator('#view-audit tr[data-action=verdict]').count()).toBe(1);
    const verdict = await page.locator('#view-audit tr[data-action=verdict]').textContent();
    expect(verdict).toContain('Trần Thị Duyệt');
    expect(verdict).toContain('Kết luận vi phạm');
    expect(verdict).toContain('confirmed · v1');
    expect(await page.locator('#view-audit tr[data-action=login]').count()).toBe(2); // reviewer, then admin
    await page.click('#audit-verify');
    await expect
      .poll(() => page.locator('#view-audit .audit-ok').textContent())
      .toMatch(/Nhật ký nguyên vẹn \(\d+ dòng\)/);
    await page.close();
  });
});
