// Checks at start the broker settings central relies on, where a client can see them: how many QoS 1 messages
// the broker queues for an offline session (measured), its identity ($SYS/broker/version) and, over MQTT 5, its
// maximum packet size. Persistence across a broker restart cannot be seen from a client; the docs say what to set.
import { createHmac, randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import { Topics } from '../../contract/index.ts';

/**
 * Where the probe talks to itself: the acks topic of '_probe', which can never be a site (site ids start with
 * [a-z0-9]), so no box reads it; the broker ACLs grant central exactly this topic beyond its acks
 * (central/broker/broker-accounts.ts).
 */
export const PROBE_TOPIC = Topics.acks('_probe');
/** Where mosquitto says what it is (retained); other brokers may not publish it. */
export const BROKER_VERSION_TOPIC = '$SYS/broker/version';

/**
 * The probe's own MQTT login, derived from central's: `{username}-probe`, with an HMAC of central's password
 * (the broker accounts and `matthan broker-files` create it with the same function). Never central's own login: a
 * broker that ties client ids to usernames (mosquitto use_username_as_clientid, as broker-files configures) would
 * hand a probe connecting as central central's own session, with its queued events.
 */
export function probeLogin(
  centralUsername: string,
  centralPassword: string | undefined,
): { username: string; password: string | undefined } {
  return {
    username: `${centralUsername}-probe`,
    password:
      centralPassword === undefined
        ? undefined
        : createHmac('sha256', centralPassword).update('matthan broker probe').digest('base64url'),
  };
}

export interface BrokerCheckOptions {
  url: string;
  /** The probe's login (probeLogin()), never central's own. */
  username?: string;
  password?: string;
  /** TLS material for mqtts:// (central's broker.caFile / certFile / keyFile). */
  tls?: Pick<IClientOptions, 'ca' | 'cert' | 'key'>;
  protocolVersion: 4 | 5;
  /**
   * Publishes the probe messages while the probe's session is offline: central's own connection (its account may
   * publish under matthan/v1/_central/), so no third identity is needed.
   */
  publish: (topic: string, payload: Buffer) => Promise<unknown>;
  /** Messages queued for the offline probe session; 0 skips the queue probe. */
  probeMessages: number;
  /** Central's ingest.maxMessageBytes, compared with the broker's maximum packet size (MQTT 5). */
  maxMessageBytes: number;
  /** Upper bound for the whole check (default 15 s). */
  timeoutMs?: number;
  /** Aborts the check (central stopping): every probe connection is closed. */
  signal?: AbortSignal;
}

/** What the probe saw. */
export interface BrokerObservation {
  /** From $SYS/broker/version, when the broker publishes it (mosquitto does). */
  version?: string;
  /** Probe messages published while the probe session was offline, and how many it got on reconnecting. */
  queue?: { published: number; delivered: number };
  /** MQTT 5 CONNACK Maximum Packet Size (MQTT 5 §3.2.2.3.6); undefined: none announced, or MQTT 3.1.1. */
  maximumPacketSize?: number;
  protocolVersion: 4 | 5;
}

/** The probe's queue has run dry when nothing arrived for this long (generous: a loaded box is slow). */
const QUIET_MS = 1500;

/** The warnings an observation calls for: pure, so the thresholds are tested as a table. */
export function assessBroker(o: BrokerObservation, maxMessageBytes: number): string[] {
  const warnings: string[] = [];
  if (o.queue && o.queue.delivered < o.queue.published)
    warnings.push(
      `the broker kept only ${o.queue.delivered} of ${o.queue.published} QoS 1 messages queued for an offline session ` +
        "(mosquitto's max_queued_messages, 1000 by default): while central is away the broker drops events beyond " +
        "that, and the edges must re-send them after outbox.ackTimeoutS. Raise it above the sum of the edges' " +
        'outbox.windowSize (config/examples/mosquitto.conf)',
    );
  if (o.protocolVersion === 5 && o.maximumPacketSize === undefined)
    warnings.push(
      'the broker announces no maximum packet size: any client can send central messages of up to 256 MB ' +
        `(central refuses payloads above ingest.maxMessageBytes, ${maxMessageBytes}, but must receive them first). ` +
        'Set max_packet_size / message_size_limit (config/examples/mosquitto.conf)',
    );
  if (o.maximumPacketSize !== undefined && o.maximumPacketSize < 4096)
    warnings.push(
      `the broker's maximum packet size is ${o.maximumPacketSize} bytes: events (up to a few KiB) may not get ` +
        'through. Set max_packet_size to at least 131072',
    );
  return warnings;
}

/** Connects once (no reconnect) and resolves with the client and its CONNACK. */
function connectOnce(
  url: string,
  opts: IClientOptions,
): Promise<{ client: MqttClient; connack: IConnackPacket }> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    client.once('connect', (connack) => resolve({ client, connack }));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
    client.once('close', () => reject(new Error('connection closed before CONNACK')));
  });
}

const connect = async (url: string, opts: IClientOptions) => (await connectOnce(url, opts)).client;

/** Runs the probe against the live broker; throws when the broker refuses it (ACLs, credentials). */
export async function observeBroker(o: BrokerCheckOptions): Promise<BrokerObservation> {
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  const auth = { username: o.username, password: o.password, ...o.tls, protocolVersion: o.protocolVersion };
  const topic = PROBE_TOPIC;
  // Two centrals probing at once share the topic: each counts only its own run's messages.
  const run = randomBytes(8).toString('hex');
  // A client id bound to the probe's user (the embedded broker requires `{username}.…`; mosquitto may force it).
  const probeId = `${o.username ?? 'matthan-probe'}.session`;
  const persistent: IClientOptions = {
    ...auth,
    clientId: probeId,
    clean: false,
    ...(o.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}),
  };
  const obs: BrokerObservation = { protocolVersion: o.protocolVersion };
  const clients: MqttClient[] = [];
  const onAbort = () => {
    for (const c of clients) c.end(true);
  };
  o.signal?.addEventListener('abort', onAbort);
  const alive = () => {
    if (o.signal?.aborted) throw new Error('broker check aborted');
  };
  try {
    const { client: probe, connack } = await connectOnce(o.url, persistent);
    clients.push(probe);
    obs.maximumPacketSize = connack.properties?.maximumPacketSize;
    const version = new Promise<string | undefined>((resolve) => {
      probe.on('message', (t, payload) => {
        if (t === BROKER_VERSION_TOPIC) resolve(payload.toString('utf8').slice(0, 100));
      });
      setTimeout(() => resolve(undefined), 500).unref();
    });
    await probe.subscribeAsync([topic], { qos: 1 });
    // $SYS is broker-specific and may be refused by an ACL: best effort.
    await probe.subscribeAsync([BROKER_VERSION_TOPIC], { qos: 0 }).catch(() => undefined);
    obs.version = await version;
    alive();
    if (o.probeMessages > 0) {
      await probe.endAsync();
      clients.pop();
      const payload = Buffer.from(run);
      await Promise.all(Array.from({ length: o.probeMessages }, () => o.publish(topic, payload)));
      alive();
      let delivered = 0;
      let lastAt = Date.now();
      const back = mqtt.connect(o.url, { ...persistent, reconnectPeriod: 0, connectTimeout: 5000 });
      clients.push(back);
      // Counting starts with the connection, before the CONNACK: the broker may send queued messages right after it.
      back.on('message', (t, p) => {
        if (t !== topic || p.toString() !== run) return;
        delivered++;
        lastAt = Date.now();
      });
      await new Promise<void>((resolve, reject) => {
        back.once('connect', () => resolve());
        back.once('error', reject);
      });
      lastAt = Date.now();
      // Until all arrived, or nothing came for QUIET_MS (the queue ran dry), or the deadline.
      while (delivered < o.probeMessages && Date.now() - lastAt < QUIET_MS && Date.now() < deadline) {
        alive();
        await new Promise((r) => setTimeout(r, 20));
      }
      obs.queue = { published: o.probeMessages, delivered };
      await back.endAsync();
      clients.pop();
    }
    // A clean connect discards the probe session and anything still queued for it.
    const wipe = await connect(o.url, {
      ...auth,
      clientId: probeId,
      clean: true,
      ...(o.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 0 } } : {}),
    });
    clients.push(wipe);
    await wipe.endAsync();
    clients.pop();
    return obs;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    for (const c of clients) c.end(true);
  }
}
