// Evidence packages downloaded from the page on real incidents: the zip holds the annotated and clean snapshots, the
// clip, the JSON record, the printed PDF and SHA256SUMS matching the files and central's digests; the PDF (read
// back with pdftotext) carries the cold-fine record in Vietnamese; the filtered export holds one folder per incident.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './browser.ts';
import { type PageWatch, shownId, signIn, watch } from './page-watch.ts';
import { CAMERA_NAME, recordedRun } from './recorded-edge-run.ts';
import { type SeededCentral, seededCentral, TOKENS } from './seeded-central.ts';

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('evidence package export', { timeout: 120_000 }, () => {
  let s: SeededCentral;
  let browser: Browser;
  let page: Page;
  let w: PageWatch;
  let red: { id: string; firstTs: number };

  const download = async (selector: string) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
    const file = path.join(s.dir, dl.suggestedFilename());
    await dl.saveAs(file);
    return { name: dl.suggestedFilename(), files: unzipSync(new Uint8Array(readFileSync(file))) };
  };

  beforeAll(async () => {
    s = await seededCentral(await recordedRun());
    const list = (await s.call('viewer', 'GET', '/api/incidents?rule=red_light&limit=50')).json.items;
    red = list[0];
    const v = (await s.call('viewer', 'GET', `/api/incidents/${red.id}`)).json.version;
    const r = await s.call('reviewer', 'POST', `/api/incidents/${red.id}/review`, {
      verdict: 'confirmed',
      version: v,
      note: 'Xe máy vượt vạch khi đèn đỏ',
    });
    expect(r.status).toBe(200);
    browser = await launchBrowser();
    w = watch(browser.context);
    page = await browser.context.newPage();
    await signIn(page, s.central.url, TOKENS.viewer.token, `#/incident/${red.id}`);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('one incident: snapshots, clip, record.json, record.pdf and SHA256SUMS that match the files and central', async () => {
    await poll(() => shownId(page)).toBe(red.id);
    const { name, files } = await download('[data-export="zip"]');
    expect(name).toBe(`${red.id}.zip`);
    const detail = (await s.call('viewer', 'GET', `/api/incidents/${red.id}`)).json;
    // The plate crop is in the package when central has it (the recorded red-light runner's plate was read).
    const withCrop = detail.evidenceStatus.plate?.state === 'available';
    expect(Object.keys(files).sort()).toEqual(
      [
        'SHA256SUMS',
        'clip.mp4',
        'record.json',
        'record.pdf',
        'snapshot-annotated.jpg',
        'snapshot-clean.jpg',
        ...(withCrop ? ['plate-crop.jpg'] : []),
      ].sort(),
    );
    const sums = new TextDecoder()
      .decode(files.SHA256SUMS)
      .trim()
      .split('\n')
      .map((l) => l.split('  '));
    expect(sums).toHaveLength(withCrop ? 4 : 3);
    for (const [digest, file] of sums) expect(sha(files[file!]!), file).toBe(digest);
    expect(sha(files['clip.mp4']!)).toBe(detail.evidenceStatus.clip.sha256);
    expect(sha(files['snapshot-annotated.jpg']!)).toBe(detail.evidenceStatus.snapshot.sha256);
    const record = JSON.parse(new TextDecoder().decode(files['record.json']));
    expect(record).toMatchObject({
      exportedBy: TOKENS.viewer.name,
      camera: { name: CAMERA_NAME },
      incident: { id: red.id, status: 'confirmed', version: detail.version, ruleType: 'red_light' },
    });
    expect(record.incident.reviews.at(-1)).toMatchObject({
      reviewer: TOKENS.reviewer.name,
      verdict: 'confirmed',
    });
    expect(record.incident.timeline.boxes.length).toBeGreaterThan(0);
    expect(Buffer.from(files['record.pdf']!.subarray(0, 5)).toString()).toBe('%PDF-');
  });

  it('the PDF is a Vietnamese cold-fine record: time, place, camera, violation, plate, reviewer and verdict, digests', async () => {
    const res = await s.call('viewer', 'GET', `/api/incidents/${red.id}/record.pdf`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/pdf');
    const file = path.join(s.dir, 'record.pdf');
    writeFileSync(file, res.bytes);
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    const detail = (await s.call('viewer', 'GET', `/api/incidents/${red.id}`)).json;
    const when = new Intl.DateTimeFormat('vi-VN', {
      timeZone: 'Asia/Ho_Chi_Minh',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(red.firstTs);
    const p = (t: string) => when.find((x) => x.type === t)!.value;
    const flat = text.replace(/\s+/g, ' ');
    for (const expected of [
      'BIÊN BẢN GHI NHẬN HÌNH ẢNH VI PHẠM',
      `Thời gian vi phạm ${p('day')}/${p('month')}/${p('year')} ${p('hour')}:${p('minute')}:${p('second')} (Asia/Ho_Chi_Minh)`,
      `Địa điểm ${CAMERA_NAME} (10.77413, 106.70036)`,
      'Hành vi vi phạm Vượt đèn đỏ — Vượt đèn đỏ hướng Lê Lợi',
      'Phương tiện',
      'Biển số / màu biển Chưa xác định',
      `Người duyệt ${TOKENS.reviewer.name}`,
      'Kết luận Đã xác nhận vi phạm',
      'Ghi chú Xe máy vượt vạch khi đèn đỏ',
      'Chứng cứ điện tử (SHA-256)',
    ])
      expect(flat, expected).toContain(expected);
    for (const kind of ['clip', 'snapshot', 'snapshotClean'])
      expect(flat.replace(/ /g, ''), kind).toContain(detail.evidenceStatus[kind].sha256);
  });

  it('the filtered export holds one folder per incident of the filter and an index', async () => {
    await page.locator('#f-rule').selectOption('red_light');
    await page.locator('#f-status').selectOption('');
    const total = (await s.call('viewer', 'GET', '/api/incidents?rule=red_light&limit=1')).json.total;
    await poll(() => page.locator('#export-filtered').isVisible()).toBe(true);
    await poll(async () => (await page.locator('#export-filtered').getAttribute('href')) ?? '').toContain(
      'rule=red_light',
    );
    const { files } = await download('#export-filtered');
    const index = JSON.parse(new TextDecoder().decode(files['index.json']));
    expect(index.included).toBe(total);
    const folders = new Set(
      Object.keys(files)
        .filter((f) => f.includes('/'))
        .map((f) => f.split('/')[0]),
    );
    expect([...folders].sort()).toEqual(index.incidents.map((i: { id: string }) => i.id).sort());
    for (const f of folders) {
      expect(files[`${f}/record.pdf`], f).toBeDefined();
      expect(files[`${f}/clip.mp4`], f).toBeDefined();
    }
  });

  it('left no console errors and no 404', () => {
    expect(w.errors).toEqual([]);
    expect([...w.notFound]).toEqual([]);
  });
});
