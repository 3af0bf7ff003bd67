// The broker settings central relies on, checked where a client can see them: a stock mosquitto (1000 queued
// messages per offline session, no size limit) is warned about; config/examples/mosquitto.conf passes; aedes too.
// And the check never touches central's own session, also where the broker ties client ids to usernames.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerAccounts } from '../../central/broker/broker-accounts.ts';
import { assessBroker, observeBroker, probeLogin } from '../../central/broker/broker-check.ts';
import { startEmbeddedBroker } from '../../central/broker/embedded-broker.ts';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { startCentral } from '../../central/main.ts';
import { Topics } from '../../contract/index.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { REPO_ROOT, sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { Mosquitto, stopAllMosquittos } from '../helpers/mosquitto.ts';

const EXAMPLE = readFileSync(path.join(REPO_ROOT, 'config/examples/mosquitto.conf'), 'utf8');
/** The probe as central runs it: its own login, the messages published by another connection (central's). */
async function probe(url: string, protocolVersion: 4 | 5) {
  const pub = await mqtt.connectAsync(url, { clientId: `settings-pub-${protocolVersion}` });
  try {
    return await observeBroker({
      url,
      ...probeLogin('matthan-central', 'probe-test-password'),
      protocolVersion,
      publish: (topic, payload) => pub.publishAsync(topic, payload, { qos: 1 }),
      probeMessages: 2000,
      maxMessageBytes: 65_536,
    });
  } finally {
    await pub.endAsync();
  }
}

describe('assessBroker', () => {
  it.each([
    [
      'everything queued, MQTT 3.1.1',
      { protocolVersion: 4 as const, queue: { published: 2000, delivered: 2000 } },
      [],
    ],
    [
      'stock queue limit',
      { protocolVersion: 4 as const, queue: { published: 2000, delivered: 1000 } },
      ['kept only 1000 of 2000'],
    ],
    ['no probe ran', { protocolVersion: 4 as const }, []],
    [
      'MQTT 5 without a packet size',
      { protocolVersion: 5 as const, queue: { published: 10, delivered: 10 } },
      ['no maximum packet size'],
    ],
    ['MQTT 5 with a sane packet size', { protocolVersion: 5 as const, maximumPacketSize: 131_072 }, []],
    [
      'a packet size too small for events',
      { protocolVersion: 5 as const, maximumPacketSize: 1024 },
      ['1024 bytes'],
    ],
  ])('%s', (_n, obs, expected) => {
    const w = assessBroker(obs, 65_536);
    expect(w).toHaveLength(expected.length);
    for (const [i, e] of expected.entries()) expect(w[i]).toContain(e);
  });
});

describe('the broker check against real brokers', () => {
  afterAll(() => stopAllMosquittos());

  it('warns about a stock mosquitto: it keeps 1000 messages for an offline session and any size', async () => {
    const mq = await Mosquitto.start({ stock: true });
    const v4 = await probe(mq.url, 4);
    expect(v4.version).toMatch(/^mosquitto version 2\./);
    expect(v4.queue!.published).toBe(2000);
    expect(v4.queue!.delivered).toBeGreaterThanOrEqual(1000);
    expect(v4.queue!.delivered).toBeLessThan(1100);
    const v5 = await probe(mq.url, 5);
    const warnings = assessBroker(v5, 65_536);
    expect(warnings.join('\n')).toContain('queued for an offline session');
    expect(warnings.join('\n')).toContain('no maximum packet size');
  });

  it('passes config/examples/mosquitto.conf', async () => {
    const mq = await Mosquitto.start({ configText: EXAMPLE });
    const v5 = await probe(mq.url, 5);
    expect(v5.queue).toEqual({ published: 2000, delivered: 2000 });
    expect(v5.maximumPacketSize).toBe(131_072);
    expect(assessBroker(v5, 65_536)).toEqual([]);
  });

  it('passes the embedded aedes broker with its ACLs, and central reports the check once started', async () => {
    // Production accounts and ACLs: the probe must work with central's own rights, nothing more.
    const creds = new TestCredentials();
    const broker = await startEmbeddedBroker({ accounts: creds.accounts() });
    const dir = tempDir('matthan-settings-');
    const central = await startCentral(
      defaultCentralConfig({
        ...creds.central(),
        http: { host: '127.0.0.1', port: 0 },
        broker: {
          ...creds.central().broker,
          url: broker.url,
          embedded: false,
          protocolVersion: 4,
          clientId: `${creds.centralUsername}.settings`,
        },
        database: { path: path.join(dir, 'central.sqlite') },
      }),
    );
    try {
      const check = await central.brokerCheck;
      expect(check?.observation.queue).toEqual({ published: 2000, delivered: 2000 });
      expect(check?.warnings).toEqual([]);
      expect(broker.refused).toEqual({ connect: 0, publish: 0, subscribe: 0 });
    } finally {
      await central.stop();
      await broker.close();
    }
  });

  it("with use_username_as_clientid (matthan broker-files), the probe never takes central's session", async () => {
    // mosquitto as broker-files configures it: logins, ACLs, and client ids forced to the username. A probe that
    // logged in as central would get central's session and its queued events; the probe has its own login.
    const creds = new TestCredentials();
    const box = creds.box('probe-site');
    const dir = tempDir('matthan-settings-auth-');
    const accounts = brokerAccounts(
      {
        ...creds.central(),
        broker: { ...creds.central().broker, url: '', embedded: false, protocolVersion: 4 },
      },
      creds.centralPassword,
    );
    const { mosquittoAclFile, mosquittoAuthConf, mosquittoPasswordFile } = await import(
      '../../central/broker/mosquitto-files.ts'
    );
    writeFileSync(path.join(dir, 'passwd'), mosquittoPasswordFile(accounts));
    writeFileSync(path.join(dir, 'acl'), mosquittoAclFile(accounts, 'test'));
    const mq = await Mosquitto.start({
      stock: true,
      allowAnonymous: false,
      extraConfig: mosquittoAuthConf(path.join(dir, 'passwd'), path.join(dir, 'acl'))
        .split('\n')
        .filter((l) => l && !l.startsWith('#') && !l.startsWith('allow_anonymous')),
    });
    const config = defaultCentralConfig({
      ...creds.central(),
      http: { host: '127.0.0.1', port: 0 },
      broker: { ...creds.central().broker, url: mq.url, embedded: false, protocolVersion: 4 },
      database: { path: path.join(dir, 'central.sqlite') },
    });
    // Central's persistent session exists; then, while central is away, the box queues 300 events for it.
    let central = await startCentral(config);
    await central.subscribed;
    await central.brokerCheck;
    await central.stop();
    const edge = await mqtt.connectAsync(mq.url, box.mqtt);
    const now = Date.now();
    for (let i = 0; i < 300; i++) {
      const e = sampleEvent({
        id: `evt_probe_safe_${String(i).padStart(4, '0')}`,
        site: 'probe-site',
        camera: 'cam-p',
        ts: now,
        startTs: now,
      });
      await edge.publishAsync(Topics.events('probe-site', 'cam-p'), JSON.stringify(e), { qos: 1 });
    }
    await edge.endAsync();
    // Central comes back: its session delivers the 300 while the probe runs beside it.
    central = await startCentral(config);
    try {
      const check = await central.brokerCheck;
      expect(check?.observation.queue).toMatchObject({ published: 2000 });
      expect(check?.observation.version).toMatch(/^mosquitto version 2\./);
      const deadline = Date.now() + 20_000;
      while (central.ingest.counters.stored < 300 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(central.ingest.counters.stored).toBe(300);
      expect(mq.log).not.toMatch(/already connected, closing old connection/i);
    } finally {
      await central.stop();
    }
  }, 120_000);

  it('central sees the stock limit at start and says so', async () => {
    const mq = await Mosquitto.start({ stock: true });
    const dir = tempDir('matthan-settings-');
    const central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        broker: {
          url: mq.url,
          embedded: false,
          protocolVersion: 4,
          clientId: 'matthan-central.settings-stock',
        },
        database: { path: path.join(dir, 'central.sqlite') },
      }),
    );
    try {
      const check = await central.brokerCheck;
      expect(check?.warnings).toEqual([expect.stringContaining("mosquitto's max_queued_messages")]);
    } finally {
      await central.stop();
    }
  });
});
