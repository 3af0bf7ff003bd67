// The per-camera ring of encoded video segments on disk (the last N seconds), for evidence clips with pre-roll.
// Segments a pending capture still needs are held past N (within a cap), and the list survives a restart.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
  /** Extra seconds kept beyond `seconds` while a pending capture holds them (default 0: no holding). */
  heldMaxS?: number;
  log?: Logger;
}

/** The list of complete segments with their wall-clock times, rewritten on every change. */
const INDEX_FILE = 'segments.json';

export class SegmentRing {
  readonly dir: string;
  readonly seconds: number;
  readonly segmentS: number;
  private list: Segment[] = [];
  private runId = 0;
  private holdFrom: (() => number | undefined) | undefined;
  /** Segments deleted by retention since start. */
  dropped = 0;
  /** End of the newest segment retention deleted (wall-clock ms): footage before it is gone. */
  droppedThroughMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: SegmentRingOptions) {
    this.dir = path.resolve(o.dir);
    this.seconds = o.seconds;
    this.segmentS = o.segmentS;
    this.list = this.loadIndex();
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
   * Who holds segments: returns the oldest wall-clock ms a pending capture still needs (undefined: none).
   * Asked at each retention pass, so the holder keeps no list of pins in step with the ring.
   */
  setHold(oldestNeededMs: () => number | undefined): void {
    this.holdFrom = oldestNeededMs;
  }

  /**
   * Called before each ffmpeg run: creates the directory, deletes files no list entry owns (the segment a
   * killed ffmpeg never finished, or a previous process's segments missing from its index), and returns the
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
    const fromMs = this.holdFrom?.();
    const hold =
      fromMs !== undefined && this.o.heldMaxS ? { fromMs, maxSeconds: this.o.heldMaxS } : undefined;
    const { keep, drop } = ringRetention(this.list, this.seconds, hold);
    this.list = keep;
    for (const s of drop) {
      this.dropped++;
      this.droppedThroughMs = Math.max(this.droppedThroughMs, s.endMs);
      this.remove(s.file);
    }
    this.saveIndex();
  }

  /** The previous process's segments (their times are known from the index) whose files still exist. */
  private loadIndex(): Segment[] {
    const index = path.join(this.dir, INDEX_FILE);
    if (!existsSync(index)) return []; // first start: nothing to resume
    try {
      const text = readFileSync(index, 'utf8');
      const names = new Set(readdirSync(this.dir));
      const parsed = JSON.parse(text) as unknown;
      if (!Array.isArray(parsed)) return [];
      return parsed
        .filter(
          (s): s is Segment =>
            typeof s?.file === 'string' &&
            Number.isFinite(s.startMs) &&
            Number.isFinite(s.endMs) &&
            names.has(path.basename(s.file)),
        )
        .map((s) => ({
          file: path.join(this.dir, path.basename(s.file)),
          startMs: s.startMs,
          endMs: s.endMs,
        }))
        .sort((a, b) => a.startMs - b.startMs);
    } catch (err) {
      this.o.log?.warn(
        { dir: this.dir, err: (err as Error).message },
        'ring index unreadable; starting empty',
      );
      return [];
    }
  }

  private saveIndex(): void {
    const file = path.join(this.dir, INDEX_FILE);
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(this.list));
      renameSync(`${file}.tmp`, file); // atomic: a crash leaves the old index or the new one
    } catch (err) {
      this.o.log?.warn({ dir: this.dir, err: (err as Error).message }, 'ring index not written');
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
