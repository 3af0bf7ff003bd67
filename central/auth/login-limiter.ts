// Counts bad tokens per client address over a sliding window; over the limit, sign-ins from it are refused (429).

export interface LoginLimiterOptions {
  maxFailures: number;
  windowMs: number;
  /** Addresses remembered at once; the oldest are forgotten first (bounds memory under an IPv6 spray). */
  maxClients?: number;
}

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxClients: number;

  constructor(
    private readonly opts: LoginLimiterOptions,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.maxClients = opts.maxClients ?? 100_000;
  }

  private recent(client: string, now: number): number[] {
    const list = this.failures.get(client);
    if (!list) return [];
    const from = now - this.opts.windowMs;
    let i = 0;
    while (i < list.length && list[i]! <= from) i++;
    if (i > 0) list.splice(0, i);
    if (list.length === 0) this.failures.delete(client);
    return list;
  }

  /** Milliseconds until this client may try again, or 0 when it may try now. */
  retryAfterMs(client: string): number {
    const now = this.nowMs();
    const list = this.recent(client, now);
    if (list.length < this.opts.maxFailures) return 0;
    // The oldest failure in the window leaves it first; then one more try is allowed.
    return list[list.length - this.opts.maxFailures]! + this.opts.windowMs - now;
  }

  /** Records a bad token from this client. */
  fail(client: string): void {
    const now = this.nowMs();
    const list = this.recent(client, now);
    list.push(now);
    // Only the newest maxFailures matter for the decision.
    if (list.length > this.opts.maxFailures) list.splice(0, list.length - this.opts.maxFailures);
    this.failures.delete(client); // re-insert: the Map's order is then least recently failed first
    this.failures.set(client, list);
    while (this.failures.size > this.maxClients) {
      const oldest = this.failures.keys().next().value as string;
      this.failures.delete(oldest);
    }
  }

  get clients(): number {
    return this.failures.size;
  }
}
