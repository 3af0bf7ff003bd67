// A Prometheus counter that mirrors monotonic numbers kept elsewhere (adds the delta at each scrape), so hot
// paths keep plain integer counters and only the scrape touches prom-client.
import { Counter, type Registry } from 'prom-client';

export function mirroredCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => { labels: Partial<Record<L, string>>; value: number }[],
): Counter<L> {
  const last = new Map<string, number>();
  return new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const { labels, value } of read()) {
        const key = JSON.stringify(labels);
        const delta = value - (last.get(key) ?? 0);
        if (delta > 0) this.inc(labels, delta);
        last.set(key, value);
      }
    },
  });
}
