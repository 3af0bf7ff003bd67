// Central and an edge box over TLS to a real mosquitto that requires client certificates and the generated
// password/ACL files: the deployment of docs/SECURITY.md, with certificates made by openssl for the test.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { parseConfig } from '../../config/load.ts';
import { Topics } from '../../contract/index.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { MqttPublisher } from '../../edge/publish/mqtt-publisher.ts';
import { logger } from '../../lib/log.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { REPO_ROOT, sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { freePort, Mosquitto } from '../helpers/mosquitto.ts';

/** A private CA, a server certificate for 127.0.0.1 and client certificates, all by the openssl command. */
function makePki(dir: string, clients: string[]) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=matthan test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  );
  const leaf = (name: string, ext: string) => {
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
  };
  leaf('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  for (const c of clients) leaf(c, 'extendedKeyUsage=clientAuth\n');
  const at = (f: string) => path.join(dir, f);
  return { ca: at('ca.crt'), cert: (n: string) => at(`${n}.crt`), key: (n: string) => at(`${n}.key`), at };
}

describe('MQTT over TLS with client certificates: mosquitto, central and an edge box', () => {
  const dir = tempDir('matthan-tls-');
  const creds = new TestCredentials();
  const box = creds.box('site-t', 'box-t');
  let broker: Mosquitto;
  let central: CentralHandle;
  let pki: ReturnType<typeof makePki>;
  let url = '';

  beforeAll(async () => {
    pki = makePki(dir, ['central', 'box-t']);
    const port = await freePort();
    url = `mqtts://127.0.0.1:${port}`;
    const file = path.join(dir, 'central.yaml');
    writeFileSync(
      file,
      stringify({
        ...creds.central(),
        http: { host: '127.0.0.1', port: 0 },
        broker: {
          ...creds.central().broker,
          url,
          caFile: pki.ca,
          certFile: pki.cert('central'),
          keyFile: pki.key('central'),
        },
        database: { path: path.join(dir, 'central.sqlite') },
      }),
    );
    const out = path.join(dir, 'mosquitto');
    const gen = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/matthan.js'), 'broker-files', file, '--out', out],
      {
        encoding: 'utf8',
      },
    );
    expect(gen.status, gen.stderr).toBe(0);
    broker = await Mosquitto.start({
      port,
      dir: out,
      allowAnonymous: false,
      extraConfig: [
        // TLS options apply to the listener above them (the helper's only one).
        `cafile ${pki.ca}`,
        `certfile ${pki.at('server.crt')}`,
        `keyfile ${pki.at('server.key')}`,
        'require_certificate true',
        ...readFileSync(path.join(out, 'matthan.conf'), 'utf8').split('\n'),
      ],
    });
    central = await startCentral(loadCentralConfig(file));
    await central.subscribed;
  }, 60_000);

  afterAll(async () => {
    await central?.stop();
    await broker?.stop();
  });

  it('an edge box with its client certificate publishes over TLS and central stores the event', async () => {
    const cfg = parseConfig(
      stringify({
        site: 'site-t',
        broker: {
          url,
          ...box.broker,
          caFile: pki.ca,
          certFile: pki.cert('box-t'),
          keyFile: pki.key('box-t'),
        },
        cameras: [{ id: 'cam-1', source: { url: 'rtsp://127.0.0.1:1/unused' } }],
      }),
      'edge.yaml',
      EdgeConfigSchema,
      { env: {} },
    );
    const publisher = new MqttPublisher(cfg, logger('test'));
    try {
      const deadline = Date.now() + 15_000;
      while (!publisher.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(publisher.connected).toBe(true);
      const e = sampleEvent({
        id: 'evt_tls_000001',
        site: 'site-t',
        camera: 'cam-1',
        ts: Date.now(),
        startTs: Date.now(),
      });
      await publisher.publish(Topics.events('site-t', 'cam-1'), JSON.stringify(e));
      const until = Date.now() + 15_000;
      while (!central.incidents.get(e.id) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      expect(central.incidents.get(e.id)?.site).toBe('site-t');
    } finally {
      await publisher.close();
    }
  });

  it('refuses a client without a certificate, and a client that does not trust the CA refuses the broker', async () => {
    const opts = { ...box.mqtt, reconnectPeriod: 0, connectTimeout: 5000 };
    await expect(mqtt.connectAsync(url, { ...opts, ca: readFileSync(pki.ca) })).rejects.toThrow();
    await expect(
      mqtt.connectAsync(url, {
        ...opts,
        cert: readFileSync(pki.cert('box-t')),
        key: readFileSync(pki.key('box-t')),
      }),
    ).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('a valid certificate does not replace the password: a wrong one is refused', async () => {
    await expect(
      mqtt.connectAsync(url, {
        ...box.mqtt,
        password: `${box.mqttPassword}x`,
        ca: readFileSync(pki.ca),
        cert: readFileSync(pki.cert('box-t')),
        key: readFileSync(pki.key('box-t')),
        reconnectPeriod: 0,
        connectTimeout: 5000,
      }),
    ).rejects.toThrow(/not authori[sz]ed/i);
  });
});
