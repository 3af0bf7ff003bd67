// The central REST API over inject(): auth on every registered route, session cookie, reviews, filters, stats.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import type { Role } from '../../central/config/schema.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { type MatthanEvent, SCHEMA_VERSION, Topics } from '../../contract/index.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';

const creds = new TestCredentials();
const people = {
  viewer: creds.person('viewer', 'wall'),
  reviewer: creds.person('reviewer', 'officer-lan'),
  admin: creds.person('admin', 'ops'),
  monitor: creds.person('monitor', 'prometheus'),
};
const box = creds.box('hcmc-d1', 'box-7');
const TOKENS: Record<Role, string> = {
  viewer: people.viewer.token,
  reviewer: people.reviewer.token,
  admin: people.admin.token,
  monitor: people.monitor.token,
  edge: box.token,
};
const NAMES: Record<Role, string> = {
  viewer: 'wall',
  reviewer: 'officer-lan',
  admin: 'ops',
  monitor: 'prometheus',
  edge: 'box-7',
};
const bearer = (role: Role) => ({ authorization: `Bearer ${TOKENS[role]}` });
const HOUR = 3_600_000;
const T0 = Math.floor(1_763_700_000_000 / HOUR) * HOUR;

// Seven incidents over three cameras, three rule types and three hours (far apart: no merges).
const events: MatthanEvent[] = [
  ['cam-01', 'red_light', 0],
  ['cam-01', 'red_light', 1],
  ['cam-01', 'wrong_way', 1],
  ['cam-02', 'red_light', 2],
  ['cam-02', 'speeding', 2],
  ['cam-03', 'speeding', 2],
  ['cam-03', 'speeding', 0],
].map(([camera, ruleType, hour], i) =>
  sampleEvent({
    id: `evt_api_${String(i).padStart(4, '0')}`,
    camera: camera as string,
    rule: `${ruleType}-rule`,
    ruleType: ruleType as MatthanEvent['ruleType'],
    startTs: T0 + (hour as number) * HOUR + i * 60_000,
    ts: T0 + (hour as number) * HOUR + i * 60_000,
    trackId: i,
  }),
);

describe('central REST API', () => {
  let central: CentralHandle;
  const dir = tempDir('matthan-central-api-');
  const verdicts: [string, string, string, string | undefined][] = [];

  beforeAll(async () => {
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        ...creds.central(),
        broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
        // Verdicts reach listeners at once (no undo window) in this test.
        review: { undoWindowS: 0, lockLeaseS: 60, evidencePendingMaxS: 1800, timezone: 'Asia/Ho_Chi_Minh' },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: { dir: path.join(dir, 'evidence'), retentionDays: 30, maxBytes: 0 },
        cameras: [
          {
            site: 'hcmc-d1',
            id: 'cam-01',
            name: 'Nguyễn Huệ / Lê Lợi',
            location: { lat: 10.7743, lon: 106.7019 },
          },
          { site: 'hcmc-d1', id: 'cam-09', name: 'not reporting yet' },
        ],
      }),
    );
    central.reviews.onVerdict((incident, verdict, reviewer, note) =>
      verdicts.push([incident.id, verdict, reviewer, note]),
    );
    for (const e of events)
      expect(central.ingest.handle(Topics.events(e.site, e.camera), Buffer.from(JSON.stringify(e)))).toBe(
        'stored',
      );
    const status = {
      schemaVersion: SCHEMA_VERSION,
      site: 'hcmc-d1',
      camera: 'cam-01',
      state: 'online',
      ts: T0,
      fpsIn: 5,
      fpsProcessed: 4.8,
      framesDropped: 3,
    };
    expect(
      central.ingest.handle(Topics.status('hcmc-d1', 'cam-01'), Buffer.from(JSON.stringify(status))),
    ).toBe('status');
  });

  afterAll(async () => {
    await central?.stop();
  });

  describe('auth on every registered route', () => {
    const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'abcdefgh1234').replace(/\*/g, 'x');

    it('covers the routes of every plugin, and every /api route declares roles or is listed public', () => {
      const routes = central.app.authRoutes();
      const urls = new Set(routes.map((r) => r.url));
      for (const u of [
        '/api/incidents',
        '/api/incidents/:id',
        '/api/incidents/:id/review',
        '/api/cameras',
        '/api/stats',
        '/api/quarantine',
        '/api/session',
      ])
        expect(urls, u).toContain(u);
      const undeclared = routes.filter(
        (r) => r.url.startsWith('/api') && r.access.kind === 'roles' && !r.access.declared,
      );
      expect(undeclared).toEqual([]);
    });

    it('every protected route answers 401 without a token, with an unknown token and with an unknown cookie', async () => {
      const protectedRoutes = central.app.authRoutes().filter((r) => r.access.kind === 'roles');
      expect(protectedRoutes.length).toBeGreaterThanOrEqual(10);
      let n = 0;
      for (const r of protectedRoutes) {
        const url = concrete(r.url);
        for (const headers of [
          {},
          { authorization: 'Bearer not-a-real-token-000000' },
          { cookie: 'matthan_session=forged-session-0000000' },
        ]) {
          // Each from its own address: bad tokens from one address are limited to 10 (then 429, tested below).
          const remoteAddress = `10.99.${Math.floor(++n / 250)}.${n % 250}`;
          const res = await central.app.inject({ method: r.method as 'GET', url, headers, remoteAddress });
          expect(res.statusCode, `${r.method} ${r.url} ${JSON.stringify(headers)}`).toBe(401);
        }
      }
    });

    it('every protected route answers 403 to each role it does not allow', async () => {
      let checked = 0;
      for (const r of central.app.authRoutes()) {
        if (r.access.kind !== 'roles') continue;
        const allowed = r.access.roles;
        for (const role of (Object.keys(TOKENS) as Role[]).filter((x) => !allowed.includes(x))) {
          const res = await central.app.inject({
            method: r.method as 'GET',
            url: concrete(r.url),
            headers: bearer(role),
          });
          expect(res.statusCode, `${r.method} ${r.url} as ${role}`).toBe(403);
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(10);
    });

    it('public routes answer without a token', async () => {
      for (const url of ['/healthz', '/readyz', '/']) {
        const res = await central.app.inject({ method: 'GET', url, remoteAddress: '192.0.2.7' });
        expect(res.statusCode, url).not.toBe(401);
      }
    });

    it('/metrics and the OpenAPI document: from the allow-list (loopback) or with a monitor/admin token', async () => {
      for (const url of ['/metrics', '/api/openapi.json']) {
        const get = (headers: Record<string, string>, remoteAddress: string) =>
          central.app.inject({ method: 'GET', url, headers, remoteAddress });
        expect((await get({}, '127.0.0.1')).statusCode, url).toBe(200);
        expect((await get({}, '192.0.2.7')).statusCode, url).toBe(401);
        expect((await get(bearer('viewer'), '192.0.2.7')).statusCode, url).toBe(403);
        expect((await get(bearer('edge'), '192.0.2.7')).statusCode, url).toBe(403);
        expect((await get(bearer('monitor'), '192.0.2.7')).statusCode, url).toBe(200);
        expect((await get(bearer('admin'), '192.0.2.7')).statusCode, url).toBe(200);
      }
    });

    it('sends the security headers on every response: API, UI, errors', async () => {
      for (const [url, headers] of [
        ['/api/incidents', bearer('viewer')],
        ['/api/incidents', {}],
        ['/', {}],
        ['/no-such-page', {}],
      ] as const) {
        const res = await central.app.inject({ method: 'GET', url, headers });
        expect(res.headers['x-content-type-options'], url).toBe('nosniff');
        expect(res.headers['x-frame-options'], url).toBe('DENY');
        expect(res.headers['referrer-policy'], url).toBe('no-referrer');
        expect(String(res.headers['content-security-policy']), url).toContain("frame-ancestors 'none'");
        expect(String(res.headers['strict-transport-security']), url).toContain('max-age=');
      }
    });

    it('refuses ../ evidence paths and writes nothing outside the evidence directory', async () => {
      const attempts = [
        '/api/evidence/..%2F..%2Fcentral.sqlite',
        '/api/evidence/..%2Fescape0001',
        '/api/evidence/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      ];
      for (const url of attempts) {
        const get = await central.app.inject({ method: 'GET', url, headers: bearer('viewer') });
        expect([400, 404], `GET ${url}`).toContain(get.statusCode);
        const put = await central.app.inject({
          method: 'PUT',
          url,
          headers: { ...bearer('edge'), 'content-type': 'image/jpeg' },
          payload: Buffer.from([0xff, 0xd8, 0xff, 0xd9]),
        });
        expect([400, 404], `PUT ${url}`).toContain(put.statusCode);
      }
      const raw = await central.app.inject({
        method: 'GET',
        url: '/api/evidence/../../central.sqlite',
        headers: bearer('viewer'),
      });
      expect(raw.statusCode).not.toBe(200);
      expect(readdirSync(dir).sort()).toEqual(expect.not.arrayContaining(['escape0001']));
      expect(existsSync(path.join(dir, '..', 'escape0001'))).toBe(false);
    });
  });

  describe('session cookie', () => {
    it('logs in with a token, identifies the caller by cookie, logs out', async () => {
      const bad = await central.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { token: 'wrong-token-00000000' },
        remoteAddress: '10.98.0.1',
      });
      expect(bad.statusCode).toBe(401);
      expect(bad.headers['set-cookie']).toBeUndefined();

      const login = await central.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { token: TOKENS.reviewer },
      });
      expect(login.statusCode).toBe(200);
      expect(login.json()).toEqual({ name: NAMES.reviewer, role: 'reviewer' });
      const setCookie = String(login.headers['set-cookie']);
      expect(setCookie).toMatch(/^matthan_session=/);
      // The cookie holds a server-side session id, never the token itself.
      expect(setCookie).not.toContain(TOKENS.reviewer);
      expect(setCookie).not.toContain('Secure'); // plain http here; behind TLS see central-security.test.ts
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Strict');
      expect(setCookie).toContain('Path=/');
      const cookie = setCookie.split(';')[0]!;

      const me = await central.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
      expect(me.json()).toEqual({ name: NAMES.reviewer, role: 'reviewer' });
      const list = await central.app.inject({ method: 'GET', url: '/api/incidents', headers: { cookie } });
      expect(list.statusCode).toBe(200);

      const out = await central.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } });
      expect(out.statusCode).toBe(200);
      expect(String(out.headers['set-cookie'])).toMatch(/^matthan_session=;.*Max-Age=0/);
      // Revoked on the server: the old cookie no longer opens anything.
      for (const url of ['/api/session', '/api/incidents']) {
        const after = await central.app.inject({ method: 'GET', url, headers: { cookie } });
        expect(after.statusCode, url).toBe(401);
      }
    });

    it('rejects a login body without a token', async () => {
      const res = await central.app.inject({ method: 'POST', url: '/api/session', payload: {} });
      expect(res.statusCode).toBe(400);
    });
  });

  describe('reviews', () => {
    const id = events[0]!.id;

    it('a reviewer confirms with a note; the verdict, reviewer and history are stored and announced', async () => {
      const res = await central.app.inject({
        method: 'POST',
        url: `/api/incidents/${id}/review`,
        headers: bearer('reviewer'),
        // No snapshot or clip was uploaded in this test: confirming needs the explicit override with a note.
        payload: { verdict: 'confirmed', note: 'biển số rõ', override: true },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id,
        status: 'confirmed',
        reviewedBy: NAMES.reviewer,
        reviewNote: 'biển số rõ',
      });
      expect(verdicts).toEqual([[id, 'confirmed', NAMES.reviewer, 'biển số rõ']]);

      const again = await central.app.inject({
        method: 'POST',
        url: `/api/incidents/${id}/review`,
        headers: bearer('admin'),
        payload: { verdict: 'rejected', reason: 'not_violation' },
      });
      expect(again.json()).toMatchObject({ status: 'rejected', reviewedBy: NAMES.admin, reviewNote: null });
      const detail = (
        await central.app.inject({ method: 'GET', url: `/api/incidents/${id}`, headers: bearer('viewer') })
      ).json();
      expect(
        detail.reviews.map((r: { verdict: string; reviewer: string }) => [r.verdict, r.reviewer]),
      ).toEqual([
        ['confirmed', NAMES.reviewer],
        ['rejected', NAMES.admin],
      ]);
      expect(detail.events).toHaveLength(1);
    });

    it.each([
      [{ verdict: 'maybe' }, 'reviewer', 400],
      [{ verdict: 'confirmed', extra: 1 }, 'reviewer', 400],
      [{ verdict: 'confirmed', note: 'x'.repeat(2001) }, 'reviewer', 400],
      [{ verdict: 'confirmed' }, 'viewer', 403],
      [{ verdict: 'confirmed' }, 'edge', 403],
    ] as const)('refuses %j as %s with %i', async (payload, role, status) => {
      const res = await central.app.inject({
        method: 'POST',
        url: `/api/incidents/${events[1]!.id}/review`,
        headers: bearer(role),
        payload,
      });
      expect(res.statusCode).toBe(status);
    });

    it('answers 404 for an unknown incident and 400 for a malformed id', async () => {
      const unknown = await central.app.inject({
        method: 'POST',
        url: '/api/incidents/evt_nothing_here/review',
        headers: bearer('reviewer'),
        payload: { verdict: 'confirmed' },
      });
      expect(unknown.statusCode).toBe(404);
      const malformed = await central.app.inject({
        method: 'GET',
        url: '/api/incidents/..%2F..',
        headers: bearer('viewer'),
      });
      expect(malformed.statusCode).toBe(400);
    });
  });

  describe('listing, filters, pagination, stats, cameras', () => {
    const list = async (qs: string) => {
      const res = await central.app.inject({
        method: 'GET',
        url: `/api/incidents?${qs}`,
        headers: bearer('viewer'),
      });
      expect(res.statusCode, qs).toBe(200);
      return res.json() as {
        items: { id: string; firstTs: number; camera: string; ruleType: string; status: string }[];
        total: number;
      };
    };

    it.each([
      ['', () => true],
      ['camera=cam-01', (e: MatthanEvent) => e.camera === 'cam-01'],
      ['rule=speeding', (e: MatthanEvent) => e.ruleType === 'speeding'],
      [
        'camera=cam-03&rule=speeding',
        (e: MatthanEvent) => e.camera === 'cam-03' && e.ruleType === 'speeding',
      ],
      [
        `from=${T0 + HOUR}&to=${T0 + 2 * HOUR}`,
        (e: MatthanEvent) => e.startTs >= T0 + HOUR && e.startTs < T0 + 2 * HOUR,
      ],
      ['camera=cam-99', () => false],
    ])('?%s', async (qs, keep) => {
      const body = await list(qs);
      const expected = events
        .filter(keep)
        .sort((a, b) => b.startTs - a.startTs)
        .map((e) => e.id);
      expect(body.items.map((i) => i.id)).toEqual(expected);
      expect(body.total).toBe(expected.length);
    });

    it('filters by status', async () => {
      await central.app.inject({
        method: 'POST',
        url: `/api/incidents/${events[4]!.id}/review`,
        headers: bearer('reviewer'),
        payload: { verdict: 'confirmed', override: true, note: 'no evidence uploaded in this test' },
      });
      expect((await list('status=confirmed')).items.map((i) => i.id)).toEqual([events[4]!.id]);
      expect((await list('status=open')).total).toBe(events.length - 2); // events[0] was rejected above
    });

    it('pages newest first without gaps or repeats', async () => {
      const seen: string[] = [];
      for (let offset = 0; offset < events.length; offset += 3) {
        const page = await list(`limit=3&offset=${offset}`);
        expect(page.total).toBe(events.length);
        seen.push(...page.items.map((i) => i.id));
      }
      expect(seen).toEqual([...events].sort((a, b) => b.startTs - a.startTs).map((e) => e.id));
    });

    it.each([
      'limit=0',
      'limit=501',
      'offset=-1',
      'status=pending',
      'from=yesterday',
      'bogus=1',
    ])('refuses ?%s with 400', async (qs) => {
      const res = await central.app.inject({
        method: 'GET',
        url: `/api/incidents?${qs}`,
        headers: bearer('viewer'),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('bad_request');
    });

    it('counts incidents per rule, camera and hour', async () => {
      const res = await central.app.inject({ method: 'GET', url: '/api/stats', headers: bearer('viewer') });
      expect(res.statusCode).toBe(200);
      const s = res.json();
      const tally = (key: (e: MatthanEvent) => string | number) => {
        const m = new Map<string | number, number>();
        for (const e of events) m.set(key(e), (m.get(key(e)) ?? 0) + 1);
        return m;
      };
      expect(s.total).toBe(events.length);
      expect(
        new Map(s.byRule.map((r: { ruleType: string; count: number }) => [r.ruleType, r.count])),
      ).toEqual(tally((e) => e.ruleType));
      expect(new Map(s.byCamera.map((r: { camera: string; count: number }) => [r.camera, r.count]))).toEqual(
        tally((e) => e.camera),
      );
      expect(new Map(s.byHour.map((r: { hour: number; count: number }) => [r.hour, r.count]))).toEqual(
        tally((e) => Math.floor(e.startTs / HOUR) * HOUR),
      );
      const windowed = (
        await central.app.inject({
          method: 'GET',
          url: `/api/stats?from=${T0 + 2 * HOUR}`,
          headers: bearer('viewer'),
        })
      ).json();
      expect(windowed.total).toBe(events.filter((e) => e.startTs >= T0 + 2 * HOUR).length);
    });

    it('lists inventory cameras with their health, then cameras that reported without being listed', async () => {
      const res = await central.app.inject({ method: 'GET', url: '/api/cameras', headers: bearer('viewer') });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([
        {
          site: 'hcmc-d1',
          camera: 'cam-01',
          name: 'Nguyễn Huệ / Lê Lợi',
          location: { lat: 10.7743, lon: 106.7019 },
          state: 'online',
          ts: T0,
          fpsIn: 5,
          fpsProcessed: 4.8,
          framesDropped: 3,
        },
        { site: 'hcmc-d1', camera: 'cam-09', name: 'not reporting yet', state: 'unknown', ts: 0 },
      ]);
    });

    it('shows admins the quarantined payloads with their reasons, newest first', async () => {
      const topic = Topics.events('hcmc-d1', 'cam-01');
      const bad = { ...events[0]!, id: 'evt_quarantine_1', confidence: 7 };
      expect(central.ingest.handle(topic, Buffer.from(JSON.stringify(bad)))).toBe('quarantined');
      expect(central.ingest.handle(topic, Buffer.from('not json at all'))).toBe('quarantined');
      const res = await central.app.inject({
        method: 'GET',
        url: '/api/quarantine?limit=10',
        headers: bearer('admin'),
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as {
        items: { topic: string; reason: string; payload: string }[];
        total: number;
      };
      expect(body.total).toBe(2);
      expect(body.items.map((i) => i.payload)).toEqual(['not json at all', JSON.stringify(bad)]);
      expect(body.items[0]!.reason).toContain('not JSON');
      expect(body.items[1]!.reason).toContain('/confidence');
      expect(body.items.every((i) => i.topic === topic)).toBe(true);
    });

    it('serves an OpenAPI document describing the routes', async () => {
      const doc = (await central.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      expect(doc.openapi).toMatch(/^3\./);
      for (const p of [
        '/api/incidents/',
        '/api/incidents/{id}',
        '/api/incidents/{id}/review',
        '/api/cameras/',
        '/api/stats/',
      ])
        expect(Object.keys(doc.paths), p).toContain(p);
    });
  });
});
