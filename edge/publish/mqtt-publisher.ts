// MQTT publisher for the edge: QoS 1 publishes that resolve on PUBACK, retained status, last will for the box.
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { SCHEMA_VERSION, type StatusMessage, Topics } from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';
import { maskUrl } from '../../lib/mask-url.ts';
import { within } from '../../lib/within.ts';
import type { EdgeConfig } from '../config/schema.ts';

const read = (file: string | undefined) => (file === undefined ? undefined : readFileSync(file));

export class MqttPublisher {
  readonly client: MqttClient;

  constructor(
    private readonly cfg: EdgeConfig,
    private readonly log: Logger,
  ) {
    const will: StatusMessage = {
      schemaVersion: SCHEMA_VERSION,
      site: cfg.site,
      camera: '_edge',
      state: 'offline',
      reason: 'connection lost (last will)',
      ts: 0,
    };
    this.client = mqtt.connect(cfg.broker.url, {
      // The brokers bind a client id to its user (central/broker/broker-accounts.ts): the username is the id.
      clientId: cfg.broker.clientId ?? cfg.broker.username ?? `matthan-edge-${cfg.site}`,
      username: cfg.broker.username,
      password: cfg.broker.password,
      ca: read(cfg.broker.caFile),
      cert: read(cfg.broker.certFile),
      key: read(cfg.broker.keyFile),
      keepalive: cfg.broker.keepaliveS,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      clean: true,
      will: {
        topic: Topics.edgeStatus(cfg.site),
        payload: Buffer.from(JSON.stringify(will)),
        qos: 1,
        retain: true,
      },
    });
    this.client.on('connect', () => {
      this.log.info({ broker: maskUrl(cfg.broker.url) }, 'broker connected');
      void this.publishStatus('_edge', 'online');
    });
    this.client.on('offline', () => this.log.warn('broker offline'));
    this.client.on('error', (err) => this.log.warn({ err: err.message }, 'broker error'));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Runs on every (re)connect, after mqtt.js has resent what it still held from the last connection. */
  onConnect(listener: () => void): void {
    this.client.on('connect', listener);
  }

  private heartbeat: NodeJS.Timeout | undefined;

  /**
   * Republishes the box's retained `online` status every intervalMs, so central sees a fresh ts
   * (a box whose heartbeat stops but whose TCP session lingers looks stale, not online forever).
   */
  startHeartbeat(intervalMs: number, extra: () => Partial<StatusMessage> = () => ({})): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      if (this.client.connected) void this.publishStatus('_edge', 'online', extra());
    }, intervalMs);
    this.heartbeat.unref();
  }

  stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Resolves on PUBACK (QoS 1). */
  publish(
    topic: string,
    payload: string | Buffer,
    opts: { qos?: 0 | 1; retain?: boolean } = {},
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.publish(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  publishStatus(
    camera: string,
    state: 'online' | 'offline',
    extra: Partial<StatusMessage> = {},
  ): Promise<void> {
    const msg: StatusMessage = {
      schemaVersion: SCHEMA_VERSION,
      site: this.cfg.site,
      camera,
      state,
      ts: Date.now(),
      ...extra,
    };
    const topic =
      camera === '_edge' ? Topics.edgeStatus(this.cfg.site) : Topics.status(this.cfg.site, camera);
    return this.publish(topic, JSON.stringify(msg), { qos: 1, retain: true }).catch((err: Error) => {
      this.log.warn({ camera, err: err.message }, 'status publish failed');
    });
  }

  async close(): Promise<void> {
    this.stopHeartbeat();
    if (this.client.connected) await this.publishStatus('_edge', 'offline', { reason: 'shutdown' });
    // A polite end waits for in-flight PUBACKs; with the broker gone that could hang, and the outbox
    // replays whatever is unacknowledged on the next start anyway.
    if (!(await within(this.client.endAsync(!this.client.connected), 2000))) await this.client.endAsync(true);
  }
}
