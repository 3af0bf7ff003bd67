// Chain of custody under attack (issue 16): every attack an attacker on the same machine tried, against a real
// mosquitto (its password and ACL files written by `matthan broker-files`) and against the embedded broker; each is
// refused and the confirmed incident and its evidence stay as they were.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultCentralConfig, loadCentralConfig } from '../../central/config/load.ts';
import { EvidenceRetention } from '../../central/evidence/evidence-retention.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { type MatthanEvent, Topics } from '../../contract/index.ts';
import { logger } from '../../lib/log.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { REPO_ROOT, sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { freePort, Mosquitto } from '../helpers/mosquitto.ts';

const SIGNAL_TOPIC = 'junction/7/signal';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * How long a refused delivery is given to show up anyway. Absence cannot be polled for; it follows a message the
 * same broker did deliver to central, so a leak would arrive within it.
 */
const GRACE_MS = 300;

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * A publish the broker may refuse: mosquitto acknowledges and drops it (MQTT 3.1.1 has no refusal code), aedes
 * closes the connection. Resolves either way; the test then checks that nothing arrived.
 */
function publishMaybeRefused(client: MqttClient, topic: string, payload: string): Promise<unknown> {
  return Promise.race([
    client.publishAsync(topic, payload, { qos: 1 }).catch((err: Error) => err),
    new Promise((resolve) => client.once('close', () => resolve('closed'))),
  ]);
}

/** A subscription the broker may refuse: aedes answers SUBACK 0x80, mosquitto grants it and never delivers. */
function subscribeMaybeRefused(client: MqttClient, filters: string[]): Promise<unknown> {
  return client.subscribeAsync(filters, { qos: 1 }).catch((err: Error) => err);
}

interface Rig {
  brokerKind: 'embedded' | 'mosquitto';
  central: CentralHandle;
  brokerUrl: string;
  stop(): Promise<void>;
}

/**
 * The identities of the scene: two boxes of site-a, one of site-z, site-a's signal controller, a reviewer and an
 * admin. Each MQTT connection uses its own user at a time: mosquitto (use_username_as_clientid) keeps one
 * connection per user, so two at once would kick each other off.
 */
function scene() {
  const creds = new TestCredentials();
  return {
    creds,
    boxA: creds.box('site-a', 'box-a'),
    boxA2: creds.box('site-a', 'box-a2'),
    boxZ: creds.box('site-z', 'box-z'),
    controller: creds.controller('site-a', [SIGNAL_TOPIC], 'signal-a'),
    reviewer: creds.person('reviewer', 'officer-lan'),
    admin: creds.person('admin', 'ops'),
  };
}
type Scene = ReturnType<typeof scene>;

async function embeddedRig(s: Scene, dir: string): Promise<Rig> {
  const central = await startCentral(
    defaultCentralConfig({
      ...s.creds.central(),
      http: { host: '127.0.0.1', port: 0 },
      broker: { ...s.creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
      database: { path: path.join(dir, 'central.sqlite') },
      evidence: { dir: path.join(dir, 'evidence'), retentionDays: 0, maxBytes: 0 },
    }),
  );
  return { brokerKind: 'embedded', central, brokerUrl: central.brokerUrl, stop: () => central.stop() };
}

/** central.yaml on disk -> `matthan broker-files` -> mosquitto with those files -> central from the same file. */
async function mosquittoRig(s: Scene, dir: string): Promise<Rig> {
  const port = await freePort();
  const file = path.join(dir, 'central.yaml');
  writeFileSync(
    file,
    stringify({
      ...s.creds.central(),
      http: { host: '127.0.0.1', port: 0 },
      broker: {
        ...s.creds.central().broker,
        url: `mqtt://127.0.0.1:${port}`,
        embedded: false,
        protocolVersion: 4,
      },
      database: { path: path.join(dir, 'central.sqlite') },
      evidence: { dir: path.join(dir, 'evidence'), retentionDays: 0, maxBytes: 0 },
    }),
  );
  const out = path.join(dir, 'mosquitto');
  const gen = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, 'bin/matthan.js'), 'broker-files', file, '--out', out],
    {
      encoding: 'utf8',
      env: { ...process.env, MATTHAN_LOG_LEVEL: 'error' },
    },
  );
  expect(gen.status, gen.stderr).toBe(0);
  const conf = readFileSync(path.join(out, 'matthan.conf'), 'utf8').split('\n');
  const broker = await Mosquitto.start({ port, dir: out, allowAnonymous: false, extraConfig: conf });
  const central = await startCentral(loadCentralConfig(file));
  return {
    brokerKind: 'mosquitto',
    central,
    brokerUrl: broker.url,
    stop: async () => {
      await central.stop();
      await broker.stop();
    },
  };
}

describe.each([
  ['the embedded broker', embeddedRig],
  ['mosquitto with the generated ACL file', mosquittoRig],
])('attacks against central with %s', (_name, makeRig) => {
  const s = scene();
  const dir = tempDir('matthan-security-');
  let rig: Rig;
  const clients: MqttClient[] = [];
  const now = Date.now();
  const confirmed: MatthanEvent = sampleEvent({
    id: 'evt_custody_a0001',
    site: 'site-a',
    camera: 'cam-1',
    rule: 'red-light-1',
    ruleType: 'red_light',
    startTs: now - 60_000,
    ts: now - 60_000,
    details: { signal: 'red' },
    evidence: { snapshot: 'evt_custody_a0001_s', clip: 'evt_custody_a0001_v' },
  });
  // The snapshot as the edge captured it: its digest goes out in the end message, before the upload. The clip is
  // cut later (after the end): no digest is declared for it, so it is bound by site alone.
  const snapshot = Buffer.from([
    0xff,
    0xd8,
    0xff,
    0xe0,
    ...Array.from({ length: 2000 }, (_, i) => i % 256),
    0xff,
    0xd9,
  ]);
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const upload = (token: string, id: string, bytes: Buffer, type = 'image/jpeg') =>
    fetch(`${rig.central.url}/api/evidence/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: new Uint8Array(bytes),
    });
  const download = async (id: string) => {
    const res = await api('GET', `/api/evidence/${id}`, { token: s.admin.token });
    return {
      status: res.status,
      digest: res.headers.get('repr-digest'),
      bytes: Buffer.from(await res.arrayBuffer()),
    };
  };

  const connect = async (opts: IClientOptions) => {
    const c = await mqtt.connectAsync(rig.brokerUrl, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    clients.push(c);
    return c;
  };
  const api = (method: string, url: string, opts: { token?: string; body?: unknown; cookie?: string } = {}) =>
    fetch(`${rig.central.url}${url}`, {
      method,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
        ...(opts.body ? { 'content-type': 'application/json' } : {}),
      },
      body: opts.body ? JSON.stringify(opts.body) : undefined,
    });
  /**
   * What the reviewer confirmed (compared before and after every attack): the incident, its events, merges and
   * reviews. Messages that arrive after the verdict are listed apart (lateEvents) and change none of it.
   */
  const incidentNow = async () => {
    const res = await api('GET', `/api/incidents/${confirmed.id}`, { token: s.admin.token });
    expect(res.status).toBe(200);
    // evidenceStatus is the files' availability on central, which the genuine (late) upload changes by design;
    // the incident's own evidence ids and every other fact must stay as they were at the verdict.
    const {
      lateEvents: _late,
      lateMessages: _n,
      evidenceStatus: _files,
      ...facts
    } = (await res.json()) as Record<string, unknown>;
    return facts;
  };
  const lateOf = async () =>
    (await (await api('GET', `/api/incidents/${confirmed.id}`, { token: s.admin.token })).json()) as {
      lateEvents: MatthanEvent[];
      lateMessages: number;
    };
  /** Incidents the ingest announced as changed (live page, forwarders) since the attacks began. */
  const announced: string[] = [];
  let before: Record<string, unknown>;

  beforeAll(async () => {
    rig = await makeRig(s, dir);
    await rig.central.subscribed;
    const boxA = await connect(s.boxA.mqtt);
    await boxA.publishAsync(Topics.events('site-a', 'cam-1'), JSON.stringify(confirmed), { qos: 1 });
    await boxA.publishAsync(
      Topics.events('site-a', 'cam-1'),
      JSON.stringify({
        ...confirmed,
        seq: 1,
        phase: 'end',
        ts: now - 55_000,
        endTs: now - 55_000,
        evidenceSha256: { evt_custody_a0001_s: sha256(snapshot) },
      }),
      { qos: 1 },
    );
    await until(
      'the incident stored and ended',
      () => rig.central.incidents.get(confirmed.id)?.ended === true,
    );
    const review = await api('POST', `/api/incidents/${confirmed.id}/review`, {
      token: s.reviewer.token,
      // No evidence is on central yet (the upload tests come later), so the confirmation needs the override and
      // a note (review rules).
      body: { verdict: 'confirmed', override: true, note: 'biển số rõ, ảnh đang tải lên' },
    });
    expect(review.status).toBe(200);
    before = await incidentNow();
    expect(before).toMatchObject({ status: 'confirmed', eventCount: 2, version: 2 });
    rig.central.ingest.onIncident((id) => announced.push(id));
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.end(true);
    await rig?.stop();
  });

  describe('the broker', () => {
    it('refuses anonymous clients and wrong passwords: no subscribe, no publish', async () => {
      const refused = /not authori[sz]ed|bad user ?name or password/i;
      await expect(connect({ clientId: 'anon-1' })).rejects.toThrow(refused);
      await expect(
        connect({ username: s.boxA.name, password: `${s.boxA.mqttPassword}x`, clientId: s.boxA.name }),
      ).rejects.toThrow(refused);
      await expect(connect({ username: 'nobody', password: 'guess', clientId: 'nobody' })).rejects.toThrow(
        refused,
      );
      expect(await incidentNow()).toEqual(before);
    });

    it("lets a box read nothing of other sites' events", async () => {
      const received: string[] = [];
      const spy = await connect(s.boxZ.mqtt);
      spy.on('message', (topic) => received.push(topic));
      await subscribeMaybeRefused(spy, ['#', 'matthan/v1/+/+/events', 'matthan/v1/site-a/#']);
      const boxA = await connect(s.boxA.mqtt);
      const probe = sampleEvent({
        id: 'evt_custody_probe1',
        site: 'site-a',
        camera: 'cam-2',
        ts: now,
        startTs: now,
      });
      await boxA.publishAsync(Topics.events('site-a', 'cam-2'), JSON.stringify(probe), { qos: 1 });
      await boxA.endAsync();
      await until('central stored the probe', () => rig.central.incidents.get(probe.id) !== undefined);
      await sleep(GRACE_MS);
      expect(received).toEqual([]);
      spy.end(true);
    });

    it("refuses a box publishing under another site's topics; central never sees it", async () => {
      const receivedBefore = rig.central.ingest.counters.received;
      const attacker = await connect(s.boxZ.mqtt);
      const forged = { ...confirmed, seq: 7, phase: 'update', ts: now, details: { speedKmh: 399 } };
      await publishMaybeRefused(attacker, Topics.events('site-a', 'cam-1'), JSON.stringify(forged));
      attacker.end(true);
      // The marker goes out after the forged message was answered: if the forgery had been let through, central
      // would have received it first.
      const marker = sampleEvent({
        id: 'evt_custody_mark01',
        site: 'site-z',
        camera: 'cam-9',
        ts: now,
        startTs: now,
      });
      const honest = await connect(s.boxZ.mqtt);
      await honest.publishAsync(Topics.events('site-z', 'cam-9'), JSON.stringify(marker), { qos: 1 });
      await honest.endAsync();
      await until('central stored the marker', () => rig.central.incidents.get(marker.id) !== undefined);
      expect(rig.central.ingest.counters.received - receivedBefore).toBe(1);
      expect(await incidentNow()).toEqual(before);
    });

    it("cannot take over central's session by connecting with its client id", async () => {
      const stolen: string[] = [];
      const result = await connect({
        ...s.boxZ.mqtt,
        clientId: rig.central.brokerClientId,
        clean: false,
      }).then(
        (c) => {
          c.on('message', (topic) => stolen.push(topic));
          return c;
        },
        (err: Error) => err,
      );
      // The embedded broker refuses the id outright; mosquitto (use_username_as_clientid) gives the client its
      // username as id instead, so central's session is not touched.
      if (result instanceof Error) expect(result.message).toMatch(/identifier rejected/i);
      else expect(rig.brokerKind).toBe('mosquitto');
      const boxA = await connect(s.boxA.mqtt);
      const next = sampleEvent({
        id: 'evt_custody_next01',
        site: 'site-a',
        camera: 'cam-3',
        ts: now,
        startTs: now,
      });
      await boxA.publishAsync(Topics.events('site-a', 'cam-3'), JSON.stringify(next), { qos: 1 });
      await boxA.endAsync();
      await until('central stored the next event', () => rig.central.incidents.get(next.id) !== undefined);
      await sleep(GRACE_MS);
      expect(stolen).toEqual([]);
      expect((await api('GET', '/readyz')).status).toBe(200); // central is still connected
      if (!(result instanceof Error)) result.end(true);
    });

    it('lets only the controller publish the signal topic, and only its site read it', async () => {
      // box-a2 reads the signal as site-a's edge does; box-a (of that very site) and box-z try to fake a red.
      const reader = await connect(s.boxA2.mqtt);
      const heard: string[] = [];
      reader.on('message', (_t, payload) => heard.push(payload.toString()));
      await reader.subscribeAsync(SIGNAL_TOPIC, { qos: 1 });
      for (const spoofer of [s.boxA.mqtt, s.boxZ.mqtt]) {
        const c = await connect(spoofer);
        await publishMaybeRefused(c, SIGNAL_TOPIC, '{"state":"red"}');
        c.end(true);
      }
      // The controller's message is published after the spoofers were answered, so it is heard after theirs.
      const controller = await connect(s.controller.mqtt);
      await controller.publishAsync(SIGNAL_TOPIC, '{"state":"green"}', { qos: 1 });
      await until('the reader heard the controller', () => heard.includes('{"state":"green"}'));
      expect(heard).toEqual(['{"state":"green"}']);
      // Another site's box cannot read it either.
      const other = await connect(s.boxZ.mqtt);
      const overheard: string[] = [];
      other.on('message', (_t, p) => overheard.push(p.toString()));
      await subscribeMaybeRefused(other, [SIGNAL_TOPIC]);
      await controller.publishAsync(SIGNAL_TOPIC, '{"state":"red"}', { qos: 1 });
      await until('the reader heard red', () => heard.length === 2);
      await sleep(GRACE_MS);
      expect(overheard).toEqual([]);
      other.end(true);
      reader.end(true);
    });
  });

  describe('events bound to their source', () => {
    const quarantineReasons = async () =>
      (
        (await (await api('GET', '/api/quarantine', { token: s.admin.token })).json()) as {
          items: { reason: string; topic: string }[];
        }
      ).items;

    it("refuses a box of another site reusing a confirmed incident's id (quarantined with the reason)", async () => {
      const quarantined = rig.central.ingest.counters.quarantined;
      const box = await connect(s.boxZ.mqtt);
      const forged = {
        ...confirmed,
        site: 'site-z',
        camera: 'cam-9',
        seq: 5,
        phase: 'update',
        ts: now,
        details: { speedKmh: 399 },
        evidence: { best: 'evt_forged_best01' },
      };
      await box.publishAsync(Topics.events('site-z', 'cam-9'), JSON.stringify(forged), { qos: 1 });
      await box.endAsync();
      await until('the forgery quarantined', () => rig.central.ingest.counters.quarantined > quarantined);
      const reasons = await quarantineReasons();
      expect(
        reasons.some((q) => q.reason.includes(`event id ${confirmed.id} is bound to site-a/cam-1`)),
      ).toBe(true);
      expect(await incidentNow()).toEqual(before);
      expect(announced).not.toContain(confirmed.id);
    });

    it('after the verdict, not even its own box changes it: the message is kept apart, nothing is forwarded', async () => {
      const stored = rig.central.ingest.counters.stored;
      const box = await connect(s.boxA.mqtt);
      const late = {
        ...confirmed,
        seq: 2,
        phase: 'update',
        ts: now,
        confidence: 0.99,
        boxXyxyNorm: [0, 0, 1, 1],
        details: { speedKmh: 399, signal: 'green' },
        evidence: { best: 'evt_custody_a0001_b' },
      };
      await box.publishAsync(Topics.events('site-a', 'cam-1'), JSON.stringify(late), { qos: 1 });
      await box.endAsync();
      await until('the late message stored', () => rig.central.ingest.counters.stored > stored);
      expect(await incidentNow()).toEqual(before);
      const { lateEvents, lateMessages } = await lateOf();
      expect(lateMessages).toBe(1);
      expect(lateEvents.map((e) => [e.id, e.seq, e.details?.speedKmh])).toEqual([[confirmed.id, 2, 399]]);
      expect(announced).not.toContain(confirmed.id);
    });

    it('a new event continuing a confirmed incident becomes an incident of its own, for review', async () => {
      const box = await connect(s.boxA.mqtt);
      const cont = sampleEvent({
        id: 'evt_custody_cont01',
        site: 'site-a',
        camera: 'cam-1',
        rule: confirmed.rule,
        ruleType: confirmed.ruleType,
        continues: confirmed.id,
        ts: now - 50_000,
        startTs: now - 50_000,
      });
      await box.publishAsync(Topics.events('site-a', 'cam-1'), JSON.stringify(cont), { qos: 1 });
      await box.endAsync();
      await until('the continuation stored', () => rig.central.incidents.get(cont.id) !== undefined);
      const own = await (await api('GET', `/api/incidents/${cont.id}`, { token: s.admin.token })).json();
      expect(own).toMatchObject({ status: 'open', version: 1 });
      expect(own.merges[0].reason).toContain(`incident ${confirmed.id} already has a verdict (confirmed)`);
      expect(await incidentNow()).toEqual(before);
    });

    it.each([
      ['a year ahead', 365 * 86_400_000, "ahead of central's clock"],
      ['2^53-1', Number.MAX_SAFE_INTEGER, '/ts: must be <='],
    ])('a far-future event timestamp (%s) from its own box is quarantined; nothing sorts above the queue', async (_n, ahead, reason) => {
      const quarantined = rig.central.ingest.counters.quarantined;
      const box = await connect(s.boxA.mqtt);
      const ts = ahead === Number.MAX_SAFE_INTEGER ? ahead : Date.now() + ahead;
      const future = sampleEvent({
        id: `evt_custody_fut${String(ahead).slice(-4)}`,
        site: 'site-a',
        camera: 'cam-1',
        ts,
        startTs: ts,
      });
      await box.publishAsync(Topics.events('site-a', 'cam-1'), JSON.stringify(future), { qos: 1 });
      // The same id on the confirmed incident: no timestamp can widen a decided incident either.
      await box.publishAsync(
        Topics.events('site-a', 'cam-1'),
        JSON.stringify({ ...confirmed, seq: 9, phase: 'update', ts, endTs: undefined }),
        { qos: 1 },
      );
      await box.endAsync();
      await until('both quarantined', () => rig.central.ingest.counters.quarantined >= quarantined + 2);
      expect(rig.central.incidents.get(future.id)).toBeUndefined();
      const reasons = await quarantineReasons();
      expect(reasons.filter((q) => q.reason.includes(reason)).length).toBeGreaterThanOrEqual(2);
      expect(await incidentNow()).toEqual(before);
      const list = (await (await api('GET', '/api/incidents?limit=1', { token: s.admin.token })).json()) as {
        items: { lastTs: number }[];
      };
      expect(list.items[0]!.lastTs).toBeLessThanOrEqual(Date.now());
    });

    it('a retained far-future status (ts 2^53-1) does not pin the camera online', async () => {
      const quarantined = rig.central.ingest.counters.quarantined;
      const box = await connect(s.boxA.mqtt);
      await box.publishAsync(
        Topics.status('site-a', 'cam-1'),
        JSON.stringify({
          schemaVersion: 1,
          site: 'site-a',
          camera: 'cam-1',
          state: 'online',
          ts: Number.MAX_SAFE_INTEGER,
        }),
        { qos: 1, retain: true },
      );
      await box.endAsync();
      await until('the status quarantined', () => rig.central.ingest.counters.quarantined > quarantined);
      const cams = (await (await api('GET', '/api/cameras', { token: s.admin.token })).json()) as {
        site: string;
        camera: string;
        ts?: number;
      }[];
      const cam = cams.find((c) => c.site === 'site-a' && c.camera === 'cam-1');
      if (cam?.ts !== undefined) expect(cam.ts).toBeLessThanOrEqual(Date.now());
    });
  });

  describe('evidence', () => {
    it("refuses another site's box pre-empting an upload, and files no event names", async () => {
      for (const id of ['evt_custody_a0001_s', 'evt_custody_a0001_v']) {
        const res = await upload(s.boxZ.token, id, Buffer.from('FAKE-EVIDENCE'));
        expect(res.status, id).toBe(403);
        expect((await download(id)).status).toBe(404);
      }
      expect((await upload(s.boxZ.token, 'evt_custody_nobody_s', Buffer.from('FAKE'))).status).toBe(409);
      // Nor can it announce site-a's file as its own first.
      const quarantined = rig.central.ingest.counters.quarantined;
      const box = await connect(s.boxZ.mqtt);
      const claim = sampleEvent({
        id: 'evt_custody_claim1',
        site: 'site-z',
        camera: 'cam-9',
        ts: now,
        startTs: now,
        evidence: { clip: 'evt_custody_a0001_v' },
      });
      await box.publishAsync(Topics.events('site-z', 'cam-9'), JSON.stringify(claim), { qos: 1 });
      await box.endAsync();
      await until('the claim quarantined', () => rig.central.ingest.counters.quarantined > quarantined);
      expect(rig.central.incidents.get(claim.id)).toBeUndefined();
    });

    it('refuses bytes that do not match the digest the event declared, then takes the genuine ones', async () => {
      const forged = Buffer.from(snapshot);
      forged[100] = (forged[100] ?? 0) ^ 0xff;
      const bad = await upload(s.boxA.token, 'evt_custody_a0001_s', forged);
      expect(bad.status).toBe(422);
      expect((await download('evt_custody_a0001_s')).status).toBe(404);
      const good = await upload(s.boxA.token, 'evt_custody_a0001_s', snapshot);
      expect(good.status).toBe(201);
      expect(await good.json()).toMatchObject({ sha256: sha256(snapshot), created: true });
      const got = await download('evt_custody_a0001_s');
      expect(got.bytes.equals(snapshot)).toBe(true);
      expect(got.digest).toBe(`sha-256=:${createHash('sha256').update(snapshot).digest('base64')}:`);
      // The same bytes again: a no-op; other bytes: refused.
      expect((await upload(s.boxA.token, 'evt_custody_a0001_s', snapshot)).status).toBe(200);
      expect((await upload(s.boxA.token, 'evt_custody_a0001_s', forged)).status).toBe(422);
      expect(await incidentNow()).toEqual(before);
    });

    it('concurrent uploads of one id: one wins, and the stored digest is that of the served bytes (5 of 5)', async () => {
      const boxA = await connect(s.boxA.mqtt);
      for (let round = 0; round < 5; round++) {
        const id = `evt_custody_race${round}`;
        const e = sampleEvent({
          id,
          site: 'site-a',
          camera: `cam-r${round}`,
          ts: now,
          startTs: now,
          evidence: { clip: `${id}_v` },
        });
        await boxA.publishAsync(Topics.events('site-a', e.camera), JSON.stringify(e), { qos: 1 });
        await until('the race event stored', () => rig.central.incidents.get(id) !== undefined);
        const bodies = Array.from({ length: 5 }, (_, k) => Buffer.alloc(200_000 + k * 1000, round * 16 + k));
        const statuses = (
          await Promise.all(bodies.map((b) => upload(s.boxA.token, `${id}_v`, b, 'video/mp4')))
        ).map((r) => r.status);
        expect(statuses.filter((st) => st === 201)).toHaveLength(1);
        expect(statuses.filter((st) => st !== 201).every((st) => st === 409)).toBe(true);
        const meta = rig.central.evidence.get(`${id}_v`)!;
        const served = await download(`${id}_v`);
        expect(sha256(served.bytes)).toBe(meta.sha256);
        expect(bodies.some((b) => b.equals(served.bytes))).toBe(true);
      }
      await boxA.endAsync();
    });

    it("quota trimming removes other files first and never the confirmed incident's evidence", async () => {
      const retention = new EvidenceRetention(
        rig.central.evidence,
        { retentionDays: 0, maxBytes: 1 },
        logger('test'),
      );
      const deleted = await retention.run();
      expect(deleted.length).toBeGreaterThanOrEqual(5); // the race clips of open incidents
      expect(deleted).not.toContain('evt_custody_a0001_s');
      expect(rig.central.evidence.get('evt_custody_a0001_s')?.sha256).toBe(sha256(snapshot));
    });
  });

  describe('sessions', () => {
    it('a revoked session cookie opens nothing', async () => {
      const login = await api('POST', '/api/session', { body: { token: s.reviewer.token } });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      expect((await api('GET', '/api/incidents', { cookie })).status).toBe(200);
      expect((await api('DELETE', '/api/session', { cookie })).status).toBe(200);
      expect((await api('GET', '/api/incidents', { cookie })).status).toBe(401);
      const verdict = await api('POST', `/api/incidents/${confirmed.id}/review`, {
        cookie,
        body: { verdict: 'rejected' },
      });
      expect(verdict.status).toBe(401);
      expect(await incidentNow()).toEqual(before);
    });

    it('50 bad sign-ins from one address end in 429, even for the right token then', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 50; i++)
        statuses.push(
          (await api('POST', '/api/session', { body: { token: `guess-${i}-${'x'.repeat(20)}` } })).status,
        );
      expect(statuses.slice(0, 10).every((st) => st === 401)).toBe(true);
      expect(statuses.slice(10).every((st) => st === 429)).toBe(true);
      const right = await api('POST', '/api/session', { body: { token: s.admin.token } });
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
      // Bearer guesses from that address are refused too.
      expect((await api('GET', '/api/incidents', { token: s.admin.token })).status).toBe(429);
      const audit = rig.central.audit.list({ action: 'login.failed', limit: 100 });
      expect(audit).toHaveLength(10);
    });
  });
});
