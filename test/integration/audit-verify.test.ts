// The audit log of a real central (sign-ins, a verdict, an evidence download, an admin request), then
// `matthan audit verify` as a user runs it: it passes on the database and fails on tampered copies.
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRowHash, GENESIS_HASH } from '../../central/audit/audit-chain.ts';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { Topics } from '../../contract/index.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { REPO_ROOT, sampleEvent, tempDir } from '../helpers/fixtures.ts';

const bin = path.join(REPO_ROOT, 'bin/matthan.js');
const verify = (...args: string[]) =>
  spawnSync(process.execPath, [bin, 'audit', 'verify', ...args], { encoding: 'utf8' });

interface Row {
  seq: number;
  ts: number;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  details: string | null;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

describe('the audit log and matthan audit verify', () => {
  const dir = tempDir('matthan-audit-');
  const dbFile = path.join(dir, 'central.sqlite');
  const creds = new TestCredentials();
  const reviewer = creds.person('reviewer', 'officer-lan');
  const admin = creds.person('admin', 'ops');
  const box = creds.box('hcmc-d1');
  let central: CentralHandle | undefined;
  let head = { seq: 0, hash: '' };
  const copy = (name: string) => {
    const f = path.join(dir, name);
    copyFileSync(dbFile, f);
    return f;
  };
  const tamper = (file: string, sql: string) => {
    const db = new Database(file);
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    db.exec(sql);
    db.close();
  };

  beforeAll(async () => {
    central = await startCentral(
      defaultCentralConfig({
        ...creds.central(),
        http: { host: '127.0.0.1', port: 0 },
        broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
        database: { path: dbFile },
        evidence: { dir: path.join(dir, 'evidence'), retentionDays: 0, maxBytes: 0 },
      }),
    );
    const api = (method: string, url: string, token?: string, body?: unknown) =>
      running().app.inject({
        method: method as 'GET',
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(body ? { payload: body as Record<string, unknown> } : {}),
      });
    const e = sampleEvent({ id: 'evt_audit_000001', evidence: { snapshot: 'evt_audit_000001_s' } });
    expect(running().ingest.handle(Topics.events(e.site, e.camera), Buffer.from(JSON.stringify(e)))).toBe(
      'stored',
    );
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    const put = await running().app.inject({
      method: 'PUT',
      url: '/api/evidence/evt_audit_000001_s',
      headers: { authorization: `Bearer ${box.token}`, 'content-type': 'image/jpeg' },
      payload: jpeg,
    });
    expect(put.statusCode).toBe(201);
    expect(
      (await api('POST', '/api/session', undefined, { token: 'not-a-token-of-anyone' })).statusCode,
    ).toBe(401);
    expect((await api('POST', '/api/session', undefined, { token: reviewer.token })).statusCode).toBe(200);
    expect((await api('GET', '/api/evidence/evt_audit_000001_s', reviewer.token)).statusCode).toBe(200);
    expect(
      (
        await api('POST', `/api/incidents/${e.id}/review`, reviewer.token, {
          verdict: 'confirmed',
          // Only the snapshot is on central, so the confirmation needs the override and a note.
          override: true,
          note: 'rõ, chỉ có ảnh',
        })
      ).statusCode,
    ).toBe(200);
    expect((await api('POST', '/api/forwarding/cap.evt_nothing_here.1/retry', admin.token)).statusCode).toBe(
      404,
    );
  });

  afterAll(async () => {
    await central?.stop();
  });
  const running = () => central!;

  it('records sign-ins, the failed one, the download with its digest and the verdict with what was seen', async () => {
    const res = await running().app.inject({
      method: 'GET',
      url: '/api/audit?limit=50',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(res.statusCode).toBe(200);
    const { entries, head: h } = res.json() as {
      entries: (Row & { details: Record<string, unknown> })[];
      head: typeof head;
    };
    const actions = entries.map((x) => x.action).reverse();
    expect(actions).toEqual(
      expect.arrayContaining(['login.failed', 'login', 'evidence.download', 'verdict']),
    );
    const verdict = entries.find((x) => x.action === 'verdict')!;
    expect(verdict).toMatchObject({ actor: 'officer-lan', role: 'reviewer', target: 'evt_audit_000001' });
    expect(verdict.details).toMatchObject({
      verdict: 'confirmed',
      note: 'rõ, chỉ có ảnh',
      override: true,
      incidentVersion: 1,
      evidence: { snapshot: { id: 'evt_audit_000001_s', bytes: 9 } },
    });
    expect((verdict.details.evidence as { snapshot: { sha256: string } }).snapshot.sha256).toMatch(
      /^[0-9a-f]{64}$/,
    );
    const download = entries.find((x) => x.action === 'evidence.download')!;
    expect(download.details).toMatchObject({ bytes: 9 });
    expect(entries.find((x) => x.action === 'login.failed')!.actor).toBe('anonymous');
    expect(entries.find((x) => x.action === 'admin.request')).toMatchObject({
      actor: 'ops',
      target: 'POST /api/forwarding/:id/retry',
      details: { status: 404 },
    });
    // Viewers may not read it.
    const asReviewer = await running().app.inject({
      method: 'GET',
      url: '/api/audit',
      headers: { authorization: `Bearer ${reviewer.token}` },
    });
    expect(asReviewer.statusCode).toBe(403);
    const check = await running().app.inject({
      method: 'GET',
      url: '/api/audit/verify',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(check.json()).toMatchObject({ ok: true, triggers: true, rows: h.seq });
    head = h;
  });

  it('the database itself refuses to change or delete a row', () => {
    const db = new Database(dbFile);
    try {
      expect(() => db.prepare("UPDATE audit_log SET actor = 'x' WHERE seq = 1").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 1').run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });

  it('passes on the original, with and without the witnessed head', async () => {
    await running().stop(); // checkpoints the WAL into the file, as a backup would see it
    central = undefined;
    const plain = verify(dbFile);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toContain(`intact: ${head.seq} rows, head ${head.seq}:${head.hash}`);
    expect(verify(dbFile, '--head', `${head.seq}:${head.hash}`).status).toBe(0);
  });

  it.each([
    [
      'an edited verdict',
      "UPDATE audit_log SET details = replace(details, 'confirmed', 'rejected') WHERE action = 'verdict'",
      'edited',
    ],
    ['an edited actor', "UPDATE audit_log SET actor = 'someone-else' WHERE action = 'login'", 'edited'],
    ['a deleted failed sign-in', "DELETE FROM audit_log WHERE action = 'login.failed'", 'missing'],
    ['the triggers dropped, nothing else', 'SELECT 1', 'triggers are gone'],
  ])('fails on a copy with %s, naming the row', (_what, sql, problem) => {
    const f = copy(`tampered-${problem.replace(/\W/g, '')}.sqlite`);
    tamper(f, sql);
    const r = verify(f);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FAILED verification');
    expect(r.stderr).toContain(problem);
  });

  it('a copy rewritten with recomputed hashes passes alone but fails against the witnessed head', () => {
    const f = copy('rehashed.sqlite');
    tamper(
      f,
      "UPDATE audit_log SET details = replace(details, 'confirmed', 'rejected') WHERE action = 'verdict'",
    );
    const db = new Database(f);
    let prev = GENESIS_HASH;
    for (const r of db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[]) {
      const hash = auditRowHash({ ...r, prevHash: prev });
      db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq);
      prev = hash;
    }
    db.exec(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'x'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'x'); END;`);
    db.close();
    expect(verify(f).status).toBe(0); // the limit of a chain kept in the same file
    const r = verify(f, '--head', `${head.seq}:${head.hash}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('rewritten');
  });

  it('names a bad --head and a file that is not a database', () => {
    expect(verify(dbFile, '--head', 'nonsense').status).toBe(2);
    expect(verify(path.join(dir, 'nothing-here.sqlite')).status).toBe(1);
  });
});
