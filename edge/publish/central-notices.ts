// Small notices from the edge to central over HTTP: evidence that will never come (and why), the camera's scene
// and its current view.
import type { Logger } from '../../lib/log.ts';
import { retryDelayMs } from '../evidence/retry-backoff.ts';

export interface CentralNoticeOptions {
  /** Central base URL, e.g. https://ioc.example.vn */
  centralUrl: string;
  /** Bearer token with role edge. */
  token: string;
  timeoutMs: number;
  /** Tries per notice before giving up (a lost notice leaves central saying "not received"). */
  attempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** Statuses that will not change on retry. */
const PERMANENT = new Set([400, 401, 403, 404, 413, 415, 422]);

/**
 * Sends notices with a few jittered retries, in the background and best effort: a notice is information for the
 * reviewer, never a condition for delivery, so it is not kept in the outbox.
 */
export class CentralNotices {
  private readonly o: CentralNoticeOptions;
  private readonly abort = new AbortController();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    options: Pick<CentralNoticeOptions, 'centralUrl' | 'token'> & Partial<CentralNoticeOptions>,
    private readonly log: Logger,
  ) {
    this.o = { timeoutMs: 15_000, attempts: 5, retryBaseMs: 1000, retryMaxMs: 60_000, ...options };
  }

  /** Tells central an evidence file will never arrive: capture failed, or the edge's disk quota deleted it. */
  evidenceFailed(id: string, reason: string): void {
    this.send('POST', `/api/evidence/${encodeURIComponent(id)}/failure`, { reason: reason.slice(0, 500) });
  }

  /** Sends a camera's scene (names, zones, lines, rules) so reviewers see the geometry the rules used. */
  scene(site: string, camera: string, scene: unknown): void {
    this.send('PUT', `/api/cameras/${encodeURIComponent(site)}/${encodeURIComponent(camera)}/scene`, scene);
  }

  /** Sends a JPEG of a camera's current view (taken at frameTsMs) for the cameras page; a newer one replaces it. */
  view(site: string, camera: string, jpeg: Buffer, frameTsMs: number): void {
    this.send('PUT', `/api/cameras/${encodeURIComponent(site)}/${encodeURIComponent(camera)}/view`, jpeg, {
      'content-type': 'image/jpeg',
      'x-matthan-frame-ts': String(Math.round(frameTsMs)),
    });
  }

  private send(method: string, path: string, body: unknown, headers?: Record<string, string>): void {
    const p = this.deliver(method, path, body, headers).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private async deliver(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): Promise<void> {
    const url = `${this.o.centralUrl.replace(/\/+$/, '')}${path}`;
    for (let attempt = 0; attempt < this.o.attempts && !this.abort.signal.aborted; attempt++) {
      let status = 0;
      let error = '';
      try {
        const res = await fetch(url, {
          method,
          headers: { authorization: `Bearer ${this.o.token}`, ...headers },
          body: Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.o.timeoutMs)]),
        });
        status = res.status;
        if (!res.ok) error = `HTTP ${res.status} ${(await res.text()).slice(0, 200)}`;
      } catch (err) {
        error = (err as Error).message;
      }
      if (status >= 200 && status < 300) return;
      if (this.abort.signal.aborted) return;
      if (PERMANENT.has(status)) {
        this.log.warn({ path, err: error }, 'central refused a notice; dropped');
        return;
      }
      const delay = retryDelayMs(attempt, this.o.retryBaseMs, this.o.retryMaxMs, Math.random());
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        t.unref();
        this.abort.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    if (!this.abort.signal.aborted) this.log.warn({ path }, 'notice to central not delivered; gave up');
  }

  /** Notices still being sent (tests wait on them). */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  stop(): void {
    this.abort.abort();
  }
}
