// MQTT subscriber for central: QoS 1 wildcard (or MQTT 5 shared) subscriptions; batches stored, then each acked
// (PUBACK to the broker) and acknowledged end to end to the edges of each site (contract/ack.ts).
import os from 'node:os';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { Topics } from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';
import { maskUrl } from '../../lib/mask-url.ts';
import { within } from '../../lib/within.ts';
import { tlsFileOptions } from '../broker/client-options.ts';
import type { CentralConfig } from '../config/schema.ts';
import { type AckEntry, buildAckMessages } from './ack-messages.ts';
import { IngestBatcher } from './ingest-batcher.ts';
import type { IngestService } from './ingest-service.ts';

/** How long close() waits for the broker to acknowledge central's in-flight publishes before cutting the link. */
const END_GRACE_MS = 10_000;

export type SubscriberIngestOptions = CentralConfig['ingest'];

const DEFAULT_INGEST: SubscriberIngestOptions = {
  batchSize: 500,
  receiveMaximum: 1000,
  quarantineMaxRows: 100_000,
  maxMessageBytes: 65_536,
  maxClockSkewS: 300,
  maxEventAgeDays: 0,
};

/**
 * Passed to mqtt.js' handleMessage callback to say "this message is taken, do not PUBACK it yet": mqtt.js then
 * skips its own PUBACK and hands over the next packet, and we send the PUBACK after the batch commits.
 */
const ACK_DEFERRED = new Error('PUBACK deferred until the batch is committed');

export class Subscriber {
  readonly client: MqttClient;
  private readonly batcher: IngestBatcher;
  private readyResolve!: () => void;
  readonly ready = new Promise<void>((r) => {
    this.readyResolve = r;
  });

  constructor(
    cfg: CentralConfig['broker'],
    ingest: IngestService,
    private readonly log: Logger,
    opts: SubscriberIngestOptions = DEFAULT_INGEST,
  ) {
    // MQTT 5 §4.8.2 shared subscriptions: $share/{group}/{filter} spreads messages over the group's members.
    const filter = (f: string) => (cfg.sharedGroup ? `$share/${cfg.sharedGroup}/${f}` : f);
    this.client = mqtt.connect(cfg.url, {
      // A stable client id and a persistent session keep QoS 1 messages queued at the broker while central restarts.
      clientId: cfg.clientId ?? `matthan-central-${os.hostname()}`,
      username: cfg.username,
      password: cfg.password,
      ...tlsFileOptions(cfg), // broker.caFile / certFile / keyFile for mqtts:// with a private CA or client certs
      protocolVersion: cfg.protocolVersion,
      clean: false,
      ...(cfg.protocolVersion === 5
        ? // MQTT 5 §3.1.2.11.3: Receive Maximum caps the unacknowledged messages in flight, i.e. a batch.
          { properties: { sessionExpiryInterval: 7 * 24 * 3600, receiveMaximum: opts.receiveMaximum } }
        : {}),
      reconnectPeriod: 1000,
    });
    this.batcher = new IngestBatcher({
      batchSize: opts.batchSize,
      store: (batch) => {
        const report = ingest.ingestBatch(batch);
        // After the commit: what the edges may now delete from their outboxes.
        this.publishAcks(report.acks);
      },
    });
    this.client.on('connect', (connack) => {
      log.info({ broker: maskUrl(cfg.url), sessionPresent: connack.sessionPresent }, 'central subscribed');
      this.client.subscribe([filter(Topics.allEvents), filter(Topics.allStatus)], { qos: 1 }, (err) => {
        if (err) log.error({ err: err.message }, 'subscribe failed');
        else this.readyResolve();
      });
    });
    this.client.on('error', (err) => log.warn({ err: err.message }, 'broker error'));
    // Store first, then PUBACK: a message is acknowledged only after the transaction holding it commits, so a
    // storage failure leaves it unacknowledged and the broker redelivers it (dedup makes that harmless).
    this.client.handleMessage = (packet, callback) => {
      if (packet.qos !== 1) {
        // QoS 0 needs no ack; QoS 2 is never granted (we subscribe at QoS 1): store now, then let mqtt.js go on.
        this.batcher.add({
          topic: packet.topic,
          payload: packet.payload as Buffer,
          ack: (err) => callback(err),
        });
        this.batcher.flush();
        return;
      }
      const stream = this.client.stream;
      this.batcher.add({
        topic: packet.topic,
        payload: packet.payload as Buffer,
        ack: (err) => (err ? this.storageFailed(err) : this.puback(packet, stream)),
      });
      callback(ACK_DEFERRED);
    };
  }

  private puback(packet: IPublishPacket, stream: MqttClient['stream']): void {
    // After a reconnect the broker redelivers what this connection left unacknowledged; acking on a new
    // connection would confuse packet ids, and the redelivery is deduplicated anyway.
    if (!this.client.connected || this.client.stream !== stream) return;
    // mqtt.js has no public "ack later" call; _sendPacket is what its own handler uses to send the PUBACK.
    try {
      (this.client as unknown as { _sendPacket(p: object): void })._sendPacket({
        cmd: 'puback',
        messageId: packet.messageId,
        reasonCode: 0,
      });
    } catch (err) {
      // The socket went away under us: the broker redelivers the message, dedup drops the copy.
      this.log.warn({ err: (err as Error).message, messageId: packet.messageId }, 'PUBACK not sent');
    }
  }

  private failedSinceReconnect = false;
  private storageFailed(err: Error): void {
    if (this.failedSinceReconnect) return;
    this.failedSinceReconnect = true;
    this.log.error(
      { err: err.message },
      'ingest batch failed; messages not acknowledged, reconnecting for redelivery',
    );
    // The broker redelivers unacknowledged QoS 1 messages only on a new connection (MQTT 5 §4.4).
    setTimeout(() => {
      this.failedSinceReconnect = false;
      this.client.stream?.destroy();
    }, 1000).unref();
  }

  readonly ackCounters = { messages: 0, entries: 0, failures: 0 };
  private lastAckFailureLogMs = 0;

  /**
   * Publishes central's acknowledgements (QoS 1, not retained) to matthan/v1/_central/{site}/acks. A lost ack
   * costs a re-send from the edge after its ack timeout, which dedup turns into another ack; so publishing is
   * fire and forget, with failures counted and logged at most once a minute.
   */
  private publishAcks(entries: readonly AckEntry[]): void {
    if (entries.length === 0) return;
    for (const p of buildAckMessages(entries, Date.now())) {
      this.ackCounters.messages++;
      this.ackCounters.entries += p.message.stored.length + (p.message.refused?.length ?? 0);
      try {
        this.client.publish(p.topic, JSON.stringify(p.message), { qos: 1 }, (err) => {
          if (err) this.ackFailed(err);
        });
      } catch (err) {
        this.ackFailed(err as Error);
      }
    }
  }

  private ackFailed(err: Error): void {
    this.ackCounters.failures++;
    const now = Date.now();
    if (now - this.lastAckFailureLogMs < 60_000) return;
    this.lastAckFailureLogMs = now;
    this.log.warn(
      { err: err.message, failures: this.ackCounters.failures },
      'ack to the edges not published',
    );
  }

  /** Pending (received, not yet committed) messages. */
  get pending(): number {
    return this.batcher.size;
  }

  async close(): Promise<void> {
    // Commit what was received, so its PUBACKs go out before the connection closes.
    this.batcher.flush();
    // A graceful end waits for central's own in-flight publishes (acks to the edges) to be acknowledged by the
    // broker; a stalled broker must not hold the shutdown, so after END_GRACE_MS the connection is cut. Acks lost
    // that way only make the edges send again, and dedup drops the copies.
    if (!(await within(this.client.endAsync(), END_GRACE_MS))) {
      this.log.warn({ graceMs: END_GRACE_MS }, 'broker did not acknowledge in time; MQTT connection cut');
      await this.client.endAsync(true);
    }
    // Anything handed over while closing is stored now, before the database closes; it cannot be acked any more,
    // so the broker redelivers it to the next session and dedup drops the copy.
    this.batcher.flush();
  }
}
