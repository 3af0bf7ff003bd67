// Applies the retention plan to the evidence store on a timer (by age and total size, from central config).
import type { Logger } from '../../lib/log.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import { planEvidenceRetention, type RetentionPolicy } from './retention-plan.ts';

export class EvidenceRetention {
  deleted = 0;
  deletedBytes = 0;
  /** Told of each deleted id (central records it, so reviewers see "expired" rather than "uploading"). */
  onDeleted: ((id: string) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EvidenceStore,
    private readonly policy: RetentionPolicy,
    private readonly log: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** One pass; returns the deleted ids. */
  async run(): Promise<string[]> {
    const items = this.store.retentionItems();
    const ids = planEvidenceRetention(items, this.nowMs(), this.policy);
    const sizes = new Map(items.map((i) => [i.id, i.bytes]));
    for (const id of ids) {
      if (await this.store.remove(id)) {
        this.deleted++;
        this.deletedBytes += sizes.get(id) ?? 0;
        this.onDeleted?.(id);
      }
    }
    if (ids.length > 0)
      this.log.info({ deleted: ids.length, policy: this.policy }, 'evidence retention pass');
    return ids;
  }

  /** Runs now and every intervalMs. */
  start(intervalMs: number): void {
    // A pass against a remote bucket can outlast the interval: never two at once.
    let running = false;
    const tick = () => {
      if (running) return;
      running = true;
      this.run()
        .catch((err: Error) =>
          this.log.error({ err: err.message }, 'evidence retention failed; retrying next interval'),
        )
        .finally(() => {
          running = false;
        });
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
