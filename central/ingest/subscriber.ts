// MQTT subscriber for central: QoS 1 wildcard (or MQTT 5 shared) subscriptions; a message is acked after it is stored.
import os from 'node:os';
import mqtt, { type MqttClient } from 'mqtt';
import { Topics } from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';
import { maskUrl } from '../../lib/mask-url.ts';
import type { CentralConfig } from '../config/schema.ts';
import type { IngestService } from './ingest-service.ts';

export class Subscriber {
  readonly client: MqttClient;
  private readyResolve!: () => void;
  readonly ready = new Promise<void>((r) => {
    this.readyResolve = r;
  });

  constructor(cfg: CentralConfig['broker'], ingest: IngestService, log: Logger) {
    // MQTT 5 §4.8.2 shared subscriptions: $share/{group}/{filter} spreads messages over the group's members.
    const filter = (f: string) => (cfg.sharedGroup ? `$share/${cfg.sharedGroup}/${f}` : f);
    this.client = mqtt.connect(cfg.url, {
      // A stable client id and a persistent session keep QoS 1 messages queued at the broker while central restarts.
      clientId: cfg.clientId ?? `matthan-central-${os.hostname()}`,
      username: cfg.username,
      password: cfg.password,
      protocolVersion: cfg.protocolVersion,
      clean: false,
      ...(cfg.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 7 * 24 * 3600 } } : {}),
      reconnectPeriod: 1000,
    });
    this.client.on('connect', (connack) => {
      log.info({ broker: maskUrl(cfg.url), sessionPresent: connack.sessionPresent }, 'central subscribed');
      this.client.subscribe([filter(Topics.allEvents), filter(Topics.allStatus)], { qos: 1 }, (err) => {
        if (err) log.error({ err: err.message }, 'subscribe failed');
        else this.readyResolve();
      });
    });
    this.client.on('error', (err) => log.warn({ err: err.message }, 'broker error'));
    // Store first, then PUBACK: mqtt.js sends the ack when handleMessage calls back, so a storage failure
    // leaves the message unacknowledged and the broker redelivers it.
    this.client.handleMessage = (packet, done) => {
      try {
        ingest.handle(packet.topic, packet.payload as Buffer);
        done();
      } catch (err) {
        log.error(
          { topic: packet.topic, err: (err as Error).message },
          'ingest failed; message not acknowledged',
        );
        done(err as Error);
      }
    };
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
