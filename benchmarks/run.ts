// `npm run bench`: every benchmark in one run (ratios, not absolute times, are what compare across machines);
// writes benchmarks/results/latest.json and latest.md and prints the markdown.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../models/asset-dirs.ts';
import { benchE2eLatency } from './e2e-latency.ts';

type Section = () => Promise<unknown>;

/** Sections from other modules are imported lazily so one failing module does not hide the others' figures. */
const lazy =
  (file: string, fn: string): Section =>
  async () => {
    const mod = (await import(file)) as Record<string, () => Promise<unknown>>;
    if (typeof mod[fn] !== 'function') throw new Error(`${file} does not export ${fn}()`);
    return mod[fn]!();
  };

const SECTIONS: [string, Section][] = [
  ['detect', lazy('./detect.ts', 'benchDetect')],
  ['plate', lazy('./plate.ts', 'benchPlate')],
  ['pipeline', lazy('./pipeline.ts', 'benchPipeline')],
  // Detection regions: crop delivery (ffmpeg graph vs full-res + sharp) and inference per analysed frame per mode.
  ['regions', lazy('./regions.ts', 'benchRegions')],
  ['ingest', lazy('./ingest.ts', 'benchIngest')],
  ['rules', lazy('./rules.ts', 'benchRules')],
  ['viewGuard', lazy('./view-guard.ts', 'benchViewGuard')],
  ['central', lazy('./central.ts', 'benchCentral')],
  // Evidence capture: a burst of 20 events in 30 s on each of 4 cameras through the real recorder.
  ['evidenceCapture', lazy('./evidence-capture.ts', 'benchEvidenceCapture')],
  // Capacity against the box's own limit, 1080p and 360p, per detection mode (supersedes the fixed camera-count
  // steps of capacity.ts, whose benchCapacity stays for a single clip at chosen counts).
  ['capacityRatio', lazy('./capacity-ratio.ts', 'benchCapacityRatio')],
  ['e2eLatency', () => benchE2eLatency()],
];

function toMarkdown(results: Record<string, unknown>): string {
  const lines: string[] = [];
  const cell = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  const table = (rows: Record<string, unknown>[]) => {
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    lines.push(`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`);
    for (const r of rows) lines.push(`| ${cols.map((c) => cell(r[c] ?? '')).join(' | ')} |`);
  };
  for (const [name, value] of Object.entries(results)) {
    if (name === 'meta') continue;
    lines.push(`### ${name}`, '');
    if (Array.isArray(value)) table(value as Record<string, unknown>[]);
    else if (value && typeof value === 'object') {
      const scalars = Object.entries(value).filter(([, v]) => !Array.isArray(v));
      if (scalars.length) table([Object.fromEntries(scalars)]);
      for (const [k, v] of Object.entries(value)) {
        if (Array.isArray(v) && v.length && typeof v[0] === 'object') {
          lines.push('', `${k}:`, '');
          table(v as Record<string, unknown>[]);
        }
      }
    } else lines.push(String(value));
    lines.push('');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const started = Date.now();
  const results: Record<string, unknown> = {
    meta: {
      date: new Date().toISOString(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      node: process.version,
      // The machines are shared: the load at the start says how much of them the run had.
      loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
  };
  let failures = 0;
  for (const [name, run] of SECTIONS) {
    if (only.length && !only.includes(name)) continue;
    const t0 = Date.now();
    process.stderr.write(`bench: ${name}...\n`);
    try {
      results[name] = await run();
    } catch (err) {
      failures++;
      results[name] = { error: (err as Error).message };
      process.stderr.write(`bench: ${name} failed: ${(err as Error).stack}\n`);
    }
    process.stderr.write(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  (results.meta as Record<string, unknown>).durationS = Math.round((Date.now() - started) / 1000);
  const dir = path.join(REPO_ROOT, 'benchmarks/results');
  mkdirSync(dir, { recursive: true });
  const md = toMarkdown(results);
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(dir, 'latest.md'), `${md}\n`);
  process.stdout.write(`${md}\n`);
  process.exitCode = failures ? 1 : 0;
}

await main();
