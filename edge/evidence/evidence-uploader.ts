// Uploads captured evidence files to central (PUT /api/evidence/:id with the edge token), retrying with backoff.
import { readFile, rm } from 'node:fs/promises';
import type { Logger } from '../../lib/log.ts';
import type { EvidenceItem, OutboxStore } from '../outbox/outbox-store.ts';
import { retryDelayMs } from './retry-backoff.ts';

export interface EvidenceUploaderOptions {
  /** Central base URL, e.g. https://ioc.example.vn */
  centralUrl: string;
  /** Bearer token with role edge. */
  token: string;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Uploads at once; 4G uplinks do better with few parallel streams. */
  concurrency: number;
  /** Poll for due retries this often (new files wake the loop at once). */
  pollMs: number;
  nowMs: () => number;
  random: () => number;
}

export interface EvidenceUploaderCounters {
  uploaded: number;
  uploadedBytes: number;
  alreadyPresent: number;
  failures: number;
  rejected: number;
  missingFiles: number;
}

/** Statuses that will not change on retry: the file itself is refused, or (410) central refused its event. */
const PERMANENT = new Set([400, 410, 413, 415, 422]);

export class EvidenceUploader {
  readonly counters: EvidenceUploaderCounters = {
    uploaded: 0,
    uploadedBytes: 0,
    alreadyPresent: 0,
    failures: 0,
    rejected: 0,
    missingFiles: 0,
  };
  private readonly o: EvidenceUploaderOptions;
  private readonly active = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly store: OutboxStore,
    options: Pick<EvidenceUploaderOptions, 'centralUrl' | 'token'> & Partial<EvidenceUploaderOptions>,
    private readonly log: Logger,
  ) {
    this.o = {
      timeoutMs: 60_000,
      retryBaseMs: 1000,
      retryMaxMs: 5 * 60_000,
      concurrency: 2,
      pollMs: 1000,
      nowMs: Date.now,
      random: Math.random,
      ...options,
    };
  }

  start(): void {
    this.schedule(0);
  }

  /** A new file is ready: try now rather than at the next poll. */
  notify(): void {
    if (!this.stopped) this.pump();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
      this.schedule(this.o.pollMs);
    }, ms);
    this.timer.unref();
  }

  private pump(): void {
    const free = this.o.concurrency - this.active.size;
    if (free <= 0) return;
    const due = this.store
      .dueEvidence(this.o.nowMs(), this.o.concurrency + this.active.size)
      .filter((e) => !this.active.has(e.id))
      .slice(0, free);
    for (const item of due) {
      this.active.add(item.id);
      void this.upload(item).finally(() => {
        this.active.delete(item.id);
        if (!this.stopped) this.pump();
      });
    }
  }

  private async upload(item: EvidenceItem): Promise<void> {
    let body: Buffer;
    try {
      body = await readFile(item.file!);
    } catch (err) {
      // Trimmed by the quota policy while queued, or deleted by hand: nothing left to send.
      this.counters.missingFiles++;
      this.store.removeEvidence(item.id);
      this.log.warn({ evidence: item.id, err: (err as Error).message }, 'evidence file missing; dropped');
      return;
    }
    const url = `${this.o.centralUrl.replace(/\/+$/, '')}/api/evidence/${encodeURIComponent(item.id)}`;
    let status = 0;
    let error = '';
    try {
      const res = await fetch(url, {
        method: 'PUT',
        headers: { authorization: `Bearer ${this.o.token}`, 'content-type': item.contentType },
        body: body as Uint8Array<ArrayBuffer>, // readFile never returns a SharedArrayBuffer view
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.o.timeoutMs)]),
      });
      status = res.status;
      error = res.ok ? '' : `HTTP ${res.status} ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      error = (err as Error).message;
    }
    if (this.stopped && status === 0) return; // aborted by stop(): the row stays for the next start
    if (status >= 200 && status < 300) {
      // 200 = central already had it (an earlier upload whose response was lost): done either way.
      this.store.removeEvidence(item.id);
      await rm(item.file!, { force: true });
      // Counted once the local copy is gone too, so 'uploaded' means the item is fully done.
      if (status === 200) this.counters.alreadyPresent++;
      this.counters.uploaded++;
      this.counters.uploadedBytes += body.length;
      return;
    }
    if (PERMANENT.has(status)) {
      this.counters.rejected++;
      this.store.removeEvidence(item.id);
      await rm(item.file!, { force: true });
      this.log.error({ evidence: item.id, err: error }, 'central refused evidence; dropped');
      return;
    }
    this.counters.failures++;
    const delay = retryDelayMs(item.attempts, this.o.retryBaseMs, this.o.retryMaxMs, this.o.random());
    this.store.deferEvidence(item.id, this.o.nowMs() + delay, error || `HTTP ${status}`);
    this.log.warn(
      { evidence: item.id, attempts: item.attempts + 1, retryInMs: delay, err: error },
      'evidence upload failed',
    );
  }

  get activeCount(): number {
    return this.active.size;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
  }
}
