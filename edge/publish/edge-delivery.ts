// Delivery for an edge box: durable outbox -> MQTT (QoS 1, deleted on central's end-to-end ack) and evidence
// files -> central over HTTP.

import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type MatthanEvent, type StatusMessage, Topics } from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';
import type { EdgeConfig } from '../config/schema.ts';
import { EvidenceUploader } from '../evidence/evidence-uploader.ts';
import type { NewEvidence, OutboxStore, OutboxUsage } from '../outbox/outbox-store.ts';
import { SqliteOutboxStore } from '../outbox/sqlite-outbox-store.ts';
import { type CentralAcks, subscribeCentralAcks } from './central-acks.ts';
import { CentralNotices } from './central-notices.ts';
import { EvidenceDigests } from './evidence-digests.ts';
import { MqttPublisher } from './mqtt-publisher.ts';
import { OutboxSender } from './outbox-sender.ts';

/** Sizes and ages of what waits on the box, plus delivery counters (exported as metrics). */
export interface DeliveryMetrics {
  /** Messages in the outbox: in central mode every one waits for central's acknowledgement. */
  outboxMessages: number;
  outboxMessageBytes: number;
  outboxOldestMessageAgeS: number;
  /** Events sent and taken by the broker (PUBACK) whose acknowledgement from central has not come yet. */
  eventsSentAwaitingCentral: number;
  /** Events central acknowledged as stored / refused into its quarantine / handed over again. */
  eventsCentralAcked: number;
  eventsRefused: number;
  eventsResent: number;
  /** Events the broker acknowledged (first PUBACK of each). */
  eventsBrokerAcked: number;
  evidenceQueued: number;
  evidenceBytes: number;
  evidenceOldestAgeS: number;
  evidenceTrimmed: number;
  evidenceTrimmedBytes: number;
  eventsEnqueued: number;
  eventsAcked: number;
  evidenceUploaded: number;
  evidenceUploadFailures: number;
  brokerConnected: boolean;
}

export interface EdgeDeliveryOptions {
  /** Resolves relative paths (dataDir, outbox.path). Default cwd. */
  baseDir?: string;
  nowMs?: () => number;
  /** How often the quota is enforced besides after each new file. */
  quotaCheckMs?: number;
}

export class EdgeDelivery {
  readonly store: OutboxStore;
  readonly publisher: MqttPublisher;
  readonly sender: OutboxSender;
  readonly uploader: EvidenceUploader | undefined;
  /** Evidence failures and camera scenes told to central (best effort), when central.url is set. */
  readonly notices: CentralNotices | undefined;
  /** Central's acknowledgements (central mode only). */
  readonly acks: CentralAcks | undefined;
  /** Where evidence files wait for upload. */
  readonly evidenceDir: string;
  /** sha256 of each captured file, declared by its event's next messages (central checks uploads against it). */
  readonly digests = new EvidenceDigests();
  private trimmed = 0;
  private trimmedBytes = 0;
  private readonly nowMs: () => number;
  private readonly quotaTimer: NodeJS.Timeout;
  private closedUsage: OutboxUsage | undefined;

  constructor(
    private readonly config: EdgeConfig,
    private readonly log: Logger,
    opts: EdgeDeliveryOptions = {},
  ) {
    this.nowMs = opts.nowMs ?? Date.now;
    const dataDir = path.resolve(opts.baseDir ?? process.cwd(), config.dataDir);
    this.evidenceDir = path.join(dataDir, 'evidence');
    mkdirSync(this.evidenceDir, { recursive: true });
    this.store = new SqliteOutboxStore(path.resolve(dataDir, config.outbox.path ?? 'outbox.sqlite'));
    const backlog = this.store.usage();
    if (backlog.messages + backlog.evidence > 0)
      log.info(backlog, 'outbox backlog from a previous run; replaying in order');
    this.publisher = new MqttPublisher(config, log);
    let sender: OutboxSender | undefined;
    // Subscribed before the sender's first publish on each connect, so no acknowledgement can overtake it.
    if (config.outbox.deleteOn === 'central')
      this.acks = subscribeCentralAcks(
        this.publisher.client,
        config.site,
        (ack) => sender?.onCentralAck(ack),
        log.child({ part: 'acks' }),
      );
    sender = new OutboxSender(this.store, this.publisher, log, {
      windowSize: config.outbox.windowSize,
      nowMs: this.nowMs,
      deleteOn: config.outbox.deleteOn,
      ackTimeoutMs: config.outbox.ackTimeoutS * 1000,
      ackTimeoutMaxMs: config.outbox.ackTimeoutMaxS * 1000,
    });
    this.sender = sender;
    this.publisher.startHeartbeat(config.outbox.heartbeatS * 1000);
    if (config.central) {
      this.uploader = new EvidenceUploader(
        this.store,
        {
          centralUrl: config.central.url,
          token: config.central.token,
          timeoutMs: config.central.timeoutS * 1000,
          retryMaxMs: config.central.retryMaxS * 1000,
          nowMs: this.nowMs,
        },
        log.child({ part: 'evidence-upload' }),
      );
      this.uploader.start();
      this.notices = new CentralNotices(
        { centralUrl: config.central.url, token: config.central.token },
        log.child({ part: 'central-notices' }),
      );
    } else {
      log.warn('no central.url configured: evidence is captured and kept on the box, not uploaded');
    }
    this.sender.pump();
    this.quotaTimer = setInterval(() => this.enforceQuota(), opts.quotaCheckMs ?? 10_000);
    this.quotaTimer.unref();
  }

  /** Writes the event to the outbox (durable when this returns), then publishes when connected. */
  publishEvent(event: MatthanEvent): void {
    // Chain of custody: every message declares the digests of the event's files captured so far.
    const digests = this.digests.forEvent(event.id);
    const message = digests ? { ...event, evidenceSha256: { ...digests, ...event.evidenceSha256 } } : event;
    this.sender.send(Topics.events(event.site, event.camera), JSON.stringify(message), {
      qos: 1,
      key: { id: event.id, seq: event.seq },
    });
    if (event.phase === 'end') this.digests.forget(event.id);
  }

  /** Publishes a camera's retained status (not queued: only the latest state matters). */
  publishStatus(
    camera: string,
    state: 'online' | 'offline',
    reason?: string,
    extra: Partial<StatusMessage> = {},
  ): void {
    void this.publisher.publishStatus(camera, state, reason ? { ...extra, reason } : extra);
  }

  /** Records evidence minted at event start (pending) or already on disk (ready). */
  addEvidence(item: NewEvidence): void {
    this.store.addEvidence(item, this.nowMs());
    if (item.file) this.afterNewFile();
  }

  /** A capture finished: the file waits for upload. */
  evidenceReady(id: string, file: string, bytes: number): void {
    this.store.markEvidenceReady(id, file, bytes);
    this.afterNewFile();
    this.digests.add(id, file).catch((err: Error) => {
      // The file went (quota, upload) before it was read: nothing to declare; central binds it by site alone.
      this.log.warn({ evidence: id, err: err.message }, 'evidence digest not taken');
    });
  }

  /** A capture failed for good (segments gone): forget the item, its id stays a 404 at central. */
  evidenceFailed(id: string, reason: string): void {
    this.store.removeEvidence(id);
    this.log.warn({ evidence: id, reason }, 'evidence capture failed');
    this.notices?.evidenceFailed(id, `capture failed: ${reason}`); // the reviewer sees why it is missing
  }

  private afterNewFile(): void {
    this.enforceQuota();
    this.uploader?.notify();
  }

  /** Applies the disk quota: evidence oldest-first, events never. */
  enforceQuota(): void {
    const removed = this.store.trimEvidence(this.config.outbox.maxBytes);
    for (const item of removed) {
      this.trimmed++;
      this.trimmedBytes += item.bytes;
      this.notices?.evidenceFailed(item.id, "deleted by the edge box's disk quota before upload");
      if (item.file) {
        try {
          rmSync(item.file, { force: true });
        } catch (err) {
          this.log.error(
            { evidence: item.id, err: (err as Error).message },
            'could not delete trimmed evidence',
          );
        }
      }
    }
    if (removed.length > 0)
      this.log.warn(
        { trimmed: removed.length, quotaBytes: this.config.outbox.maxBytes },
        'outbox over its disk quota: oldest evidence deleted (events kept)',
      );
  }

  metrics(): DeliveryMetrics {
    // After close() the figures are those at shutdown (what the next start will replay).
    const u = this.closedUsage ?? this.store.usage();
    const now = this.nowMs();
    const up = this.uploader?.counters;
    return {
      outboxMessages: u.messages,
      outboxMessageBytes: u.messageBytes,
      outboxOldestMessageAgeS: u.oldestMessageMs === undefined ? 0 : (now - u.oldestMessageMs) / 1000,
      eventsSentAwaitingCentral: this.sender.awaitingCentralCount,
      eventsCentralAcked: this.sender.counters.centralAcked,
      eventsRefused: this.sender.counters.refused,
      eventsResent: this.sender.counters.resent,
      eventsBrokerAcked: this.sender.counters.published,
      evidenceQueued: u.evidence,
      evidenceBytes: u.evidenceBytes,
      evidenceOldestAgeS: u.oldestEvidenceMs === undefined ? 0 : (now - u.oldestEvidenceMs) / 1000,
      evidenceTrimmed: this.trimmed,
      evidenceTrimmedBytes: this.trimmedBytes,
      eventsEnqueued: this.sender.counters.enqueued,
      eventsAcked: this.sender.counters.acked,
      evidenceUploaded: up?.uploaded ?? 0,
      evidenceUploadFailures: up?.failures ?? 0,
      brokerConnected: this.publisher.connected,
    };
  }

  /** Waits (up to timeoutMs) for the outbox to drain, then stops; what is left is replayed on the next start. */
  async close(timeoutMs = 3000): Promise<void> {
    await this.sender.drained(timeoutMs);
    clearInterval(this.quotaTimer);
    this.sender.stop();
    this.acks?.close();
    this.uploader?.stop();
    this.notices?.stop();
    await this.publisher.close();
    this.closedUsage = this.store.usage();
    this.store.close();
  }
}
