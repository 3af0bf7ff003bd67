// Delivery for an edge box: durable outbox -> MQTT (QoS 1, delete on PUBACK) and evidence files -> central over HTTP.

import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type MatthanEvent, type StatusMessage, Topics } from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';
import type { EdgeConfig } from '../config/schema.ts';
import { EvidenceUploader } from '../evidence/evidence-uploader.ts';
import type { NewEvidence, OutboxStore, OutboxUsage } from '../outbox/outbox-store.ts';
import { SqliteOutboxStore } from '../outbox/sqlite-outbox-store.ts';
import { MqttPublisher } from './mqtt-publisher.ts';
import { OutboxSender } from './outbox-sender.ts';

/** Sizes and ages of what waits on the box, plus delivery counters (exported as metrics). */
export interface DeliveryMetrics {
  outboxMessages: number;
  outboxMessageBytes: number;
  outboxOldestMessageAgeS: number;
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
  /** Where evidence files wait for upload. */
  readonly evidenceDir: string;
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
    this.sender = new OutboxSender(this.store, this.publisher, log, {
      windowSize: config.outbox.windowSize,
      nowMs: this.nowMs,
    });
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
    } else {
      log.warn('no central.url configured: evidence is captured and kept on the box, not uploaded');
    }
    this.sender.pump();
    this.quotaTimer = setInterval(() => this.enforceQuota(), opts.quotaCheckMs ?? 10_000);
    this.quotaTimer.unref();
  }

  /** Writes the event to the outbox (durable when this returns), then publishes when connected. */
  publishEvent(event: MatthanEvent): void {
    this.sender.send(Topics.events(event.site, event.camera), JSON.stringify(event), { qos: 1 });
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
  }

  /** A capture failed for good (segments gone): forget the item, its id stays a 404 at central. */
  evidenceFailed(id: string, reason: string): void {
    this.store.removeEvidence(id);
    this.log.warn({ evidence: id, reason }, 'evidence capture failed');
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
    this.uploader?.stop();
    await this.publisher.close();
    this.closedUsage = this.store.usage();
    this.store.close();
  }
}
