// Child process for the central benchmark: publishes a seeded central load at QoS 1, so the publisher's CPU is
// not charged to the process being measured. Prints {published, ms} as JSON on stdout.
import mqtt from 'mqtt';
import { centralLoad } from '../test/helpers/central-load.ts';

const [url, version, seed, total, dupFraction, malformedFraction, windowSize] = process.argv.slice(2);
if (!url) throw new Error('usage: central-publisher URL PROTOCOL_VERSION SEED TOTAL DUP MALFORMED WINDOW');
const load = centralLoad({
  total: Number(total),
  dupFraction: Number(dupFraction),
  malformedFraction: Number(malformedFraction),
  seed: Number(seed),
});
const protocolVersion = Number(version) === 5 ? 5 : 4;
const username = process.env.MATTHAN_BENCH_MQTT_USER;
const pub = await mqtt.connectAsync(url, {
  protocolVersion,
  username,
  password: process.env.MATTHAN_BENCH_MQTT_PASSWORD,
  clientId: username ?? `bench-pub-${process.pid}`,
});
// The parent starts its clock when it sees this line: generating the load is not part of the measurement.
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
process.stdin.destroy(); // nothing more to read; an open stdin would keep this process alive
const t0 = performance.now();
const win = Number(windowSize);
for (let i = 0; i < load.messages.length; i += win)
  await Promise.all(
    load.messages.slice(i, i + win).map((m) => pub.publishAsync(m.topic, m.payload, { qos: 1 })),
  );
const ms = performance.now() - t0;
await pub.endAsync();
process.stdout.write(`${JSON.stringify({ published: load.messages.length, ms })}\n`);
