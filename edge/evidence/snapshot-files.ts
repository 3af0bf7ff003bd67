// Writes one capture's snapshot files: the annotated JPEG (box, zone or line, caption) and the clean one.
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CaptureJob } from './capture-decision.ts';
import { type RgbFrame, renderSnapshots } from './snapshot.ts';

export interface SnapshotCamera {
  id: string;
  name?: string | undefined;
  zones: readonly { id: string; polygon: readonly (readonly [number, number])[] }[];
  lines: readonly { id: string; points: readonly (readonly [number, number])[] }[];
}

export interface SnapshotFileOptions {
  dir: string;
  jpegQuality: number;
  timezone: string;
  timeFormat: Intl.DateTimeFormat;
  camera: SnapshotCamera;
}

export interface WrittenFile {
  file: string;
  bytes: number;
}

/** `{id}.jpg` annotated, and `{job.cleanId}.jpg` clean when the job has a companion. */
export async function writeSnapshotFiles(
  frame: RgbFrame,
  id: string,
  job: CaptureJob,
  o: SnapshotFileOptions,
): Promise<{ annotated: WrittenFile; clean?: WrittenFile }> {
  const cam = o.camera;
  const zone = job.zone ? cam.zones.find((z) => z.id === job.zone)?.polygon : undefined;
  const line = job.line ? cam.lines.find((l) => l.id === job.line)?.points : undefined;
  const pair = await renderSnapshots(
    frame,
    {
      boxXyxyNorm: job.boxXyxyNorm,
      ...(zone ? { zoneNorm: zone } : {}),
      ...(line ? { lineNorm: line } : {}),
      label: job.label,
      caption: [
        `${job.rule}${job.zone ? ` · ${job.zone}` : ''}${job.line ? ` · ${job.line}` : ''}`,
        `${o.timeFormat.format(new Date(job.atMs))} ${o.timezone}`,
        `${cam.name ?? cam.id} (${cam.id})`,
      ],
    },
    o.jpegQuality,
  );
  const write = (name: string, bytes: Buffer): WrittenFile => {
    const file = path.join(o.dir, `${name}.jpg`);
    writeFileSync(file, bytes);
    return { file, bytes: statSync(file).size };
  };
  // The clean one first: the annotated one marks the capture done, so a crash in between redoes both.
  const clean = job.cleanId ? write(job.cleanId, pair.clean) : undefined;
  return { annotated: write(id, pair.annotated), ...(clean ? { clean } : {}) };
}
