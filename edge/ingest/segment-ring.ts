// The per-camera ring of encoded video segments on disk (the last N seconds), for evidence clips with pre-roll.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../lib/log.ts';
import { ringRetention } from './ring-retention.ts';

/** A complete segment; times are wall-clock ms on the same clock as Frame.tsMs. */
export interface Segment {
  file: string;
  startMs: number;
  endMs: number;
}

export interface SegmentRingOptions {
  /** {dataDir}/ring/{cameraId} */
  dir: string;
  /** Total seconds of complete segments kept. */
  seconds: number;
  /** Target segment length (cut at the next keyframe after it). */
  segmentS: number;
  log?: Logger;
}

export class SegmentRing {
  readonly dir: string;
  readonly seconds: number;
  readonly segmentS: number;
  private list: Segment[] = [];
  private runId = 0;
  /** Segments deleted by retention since start. */
  dropped = 0;

  constructor(private readonly o: SegmentRingOptions) {
    this.dir = path.resolve(o.dir);
    this.seconds = o.seconds;
    this.segmentS = o.segmentS;
  }

  /** Complete segments, oldest first. */
  segments(): Segment[] {
    return [...this.list];
  }

  /** Complete segments overlapping [fromMs, toMs], oldest first. */
  covering(fromMs: number, toMs: number): Segment[] {
    return this.list.filter((s) => s.endMs > fromMs && s.startMs <= toMs);
  }

  /**
   * Called before each ffmpeg run: creates the directory, deletes files no list entry owns (the segment a
   * killed ffmpeg never finished, or a previous process's segments whose times are unknown), and returns the
   * segment muxer's file pattern with a fresh prefix, so a restart never overwrites a listed segment.
   */
  beginRun(nowMs: number): string {
    mkdirSync(this.dir, { recursive: true });
    const owned = new Set(this.list.map((s) => path.basename(s.file)));
    for (const name of readdirSync(this.dir)) {
      if (owned.has(name) || !name.endsWith('.ts')) continue;
      this.remove(path.join(this.dir, name));
    }
    this.runId++;
    return path.join(this.dir, `${nowMs}-${this.runId}-%06d.ts`);
  }

  /** A segment was closed by the muxer: add it and apply retention (deleting what falls out). */
  add(segment: Segment): void {
    const file = path.resolve(this.dir, path.basename(segment.file));
    this.list.push({ ...segment, file });
    this.list.sort((a, b) => a.startMs - b.startMs);
    const { keep, drop } = ringRetention(this.list, this.seconds);
    this.list = keep;
    for (const s of drop) {
      this.dropped++;
      this.remove(s.file);
    }
  }

  private remove(file: string): void {
    try {
      rmSync(file, { force: true });
    } catch (err) {
      // Disk trouble must not stop ingest; the next beginRun() sweeps again.
      this.o.log?.warn({ file, err: (err as Error).message }, 'ring segment delete failed');
    }
  }
}
