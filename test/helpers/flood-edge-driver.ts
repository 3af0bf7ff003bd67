// An edge process for no-loss tests: enqueues N synthetic events as fast as the REAL outbox takes them and
// delivers them through the REAL publisher and sender (end-to-end acks), reporting its delivery metrics.
// Usage: node --import tsx test/helpers/flood-edge-driver.ts '<json options>'
import { parseConfig } from '../../config/load.ts';
import { type MatthanEvent, SCHEMA_VERSION } from '../../contract/index.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { EdgeDelivery } from '../../edge/publish/edge-delivery.ts';
import { logger } from '../../lib/log.ts';

interface DriverOptions {
  /** Edge config (dataDir, broker, outbox...) as a plain object. */
  config: Record<string, unknown>;
  total: number;
  camera: string;
  /** Event id prefix (ids are `${prefix}${index padded to 6}`). */
  idPrefix: string;
  /** Events enqueued per turn of the event loop (the socket gets the turns in between). */
  chunk: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as DriverOptions;
const config = parseConfig(JSON.stringify(opts.config), 'flood-driver', EdgeConfigSchema);
const delivery = new EdgeDelivery(config, logger('flood-driver', { pid: process.pid }));
const say = (msg: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(msg)}\n`);

export const floodEventId = (prefix: string, i: number) => `${prefix}${String(i).padStart(6, '0')}`;

function event(i: number): MatthanEvent {
  const now = Date.now();
  return {
    schemaVersion: SCHEMA_VERSION,
    id: floodEventId(opts.idPrefix, i),
    seq: 0,
    phase: 'start',
    site: config.site,
    camera: opts.camera,
    rule: 'flood-dwell',
    ruleType: 'zone_dwell',
    ts: now,
    startTs: now,
    trackId: i,
    label: 'car',
    confidence: 0.9,
    boxXyxyNorm: [(i % 10) / 10, 0.5, (i % 10) / 10 + 0.05, 0.6],
  };
}

let next = 0;
function enqueueSome(): void {
  const end = Math.min(opts.total, next + opts.chunk);
  for (; next < end; next++) delivery.publishEvent(event(next));
  if (next < opts.total) setImmediate(enqueueSome);
  else say({ enqueued: next });
}
enqueueSome();

const report = setInterval(() => say({ enqueued: next, metrics: delivery.metrics() }), 250);

process.once('SIGTERM', () => {
  clearInterval(report);
  void delivery.close(1000).then(() => process.exit(0));
});
