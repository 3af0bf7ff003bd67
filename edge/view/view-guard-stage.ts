// The view guard as one pipeline stage: checks the view on every frame and measures it in full when the check finds
// it changed (and every few seconds), maps detections into the reference view (so tracker and rules work where the
// geometry was drawn) and holds them back while the view has moved.
import type { MatthanEvent, ViewStatus } from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';
import type { Detection } from '../detect/detection.ts';
import type { Frame } from '../ingest/frame.ts';
import { classifyDrift, type DriftLimits, type DriftVerdict } from './drift-classifier.ts';
import { readReferenceImage } from './reference-image.ts';
import { CHECK_FOLLOW_PX, ViewCheck } from './view-check.ts';
import { ViewEstimator } from './view-estimator.ts';
import type { ViewGuardConfig } from './view-guard-schema.ts';
import { ViewGuardState } from './view-guard-state.ts';
import { grayViewFromFrame } from './view-image.ts';
import {
  applyNorm,
  type BoxNorm,
  compose,
  driftOf,
  identity,
  invert,
  mapBox,
  type ViewTransform,
} from './view-transform.ts';

export interface ViewGuardStageDeps {
  cameraId: string;
  log: Logger;
  /** The reference picture, resolved (camera.viewGuard.referenceImage against the config's directory). */
  referenceFile?: string;
  /** Called when the view changes state (steady / moved / uncertain). */
  onChange?: (status: ViewStatus) => void;
}

/** Counters for /metrics. */
export interface ViewGuardStats {
  /** Full measurements made. */
  estimates: number;
  /** Frames the per-frame check stood in for a full measurement on (the view unchanged, or followed by the check). */
  checks: number;
  /** Times the rules were paused (steady -> moved or uncertain). */
  pauses: number;
  /** Analysed frames whose detections were held back. */
  pausedFrames: number;
  /** ms spent checking and measuring (grayscale image, flow, fit, keyframe refreshes), summed. */
  measureMs: number;
}

/** The guard's figures for /metrics. */
export interface ViewGuardMetrics extends ViewGuardStats {
  paused: boolean;
  /** Zoom against the reference (1 before any measure). */
  scale: number;
  /** Largest movement of any point of the picture, fraction of the width (0 before any measure). */
  maxMoveNorm: number;
}

/** A reference needs this many times minInliers corners: fewer would make the first busy minute "uncertain". */
const REFERENCE_CORNER_FACTOR = 2;
/** Below this many times minInliers agreeing points a steady view refreshes its keyframe early... */
const REFRESH_INLIER_FACTOR = 3;
/** ...but not more often than this: picking corners costs about one measurement. */
const MIN_REFRESH_MS = 5000;

const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

export class ViewGuardStage {
  readonly stats: ViewGuardStats = { estimates: 0, checks: 0, pauses: 0, pausedFrames: 0, measureMs: 0 };
  /** ms this stage spent on the last frame (grayscale, measurement, mapping). */
  lastMs = 0;
  private estimator: ViewEstimator | undefined;
  private starting: Promise<void> | undefined;
  private state: ViewGuardState | undefined;
  /** Reference -> current view, and its inverse, from the last reliable measurement. */
  private current: ViewTransform | undefined;
  private toReference: ViewTransform | undefined;
  private lastEstimateAt = Number.NEGATIVE_INFINITY;
  /** The check anchored on the last full measurement's frame (when that measurement was reliable). */
  private check: ViewCheck | undefined;
  /** Reference -> the check's anchor frame: that full measurement's transform. */
  private anchorView: ViewTransform | undefined;
  private keySinceMs = 0;
  /** No reference yet: the next textured frame becomes it. */
  private capturing = true;
  private readonly limits: DriftLimits;

  constructor(
    private readonly cfg: ViewGuardConfig,
    private readonly d: ViewGuardStageDeps,
  ) {
    this.limits = {
      maxMoveNorm: cfg.maxMoveNorm,
      minInliers: cfg.minInliers,
      minSpreadNorm: cfg.minSpreadNorm,
    };
  }

  get paused(): boolean {
    return this.state?.paused ?? true;
  }

  /**
   * One analysed frame: the detections the tracker should see, in reference coordinates; none while the rules
   * are paused (the tracker still steps, so its tracks age and expire as time passes).
   */
  async step(frame: Frame, detections: Detection[]): Promise<Detection[]> {
    if (!this.estimator) {
      this.starting ??= this.start(frame);
      await this.starting;
    }
    const t0 = performance.now();
    this.observe(frame, detections);
    this.stats.measureMs += performance.now() - t0;
    let out: Detection[];
    if (this.paused) {
      this.stats.pausedFrames++;
      out = [];
    } else {
      const m = this.toReference;
      out = m ? detections.map((det) => ({ ...det, boxXyxyNorm: mapBox(m, det.boxXyxyNorm) })) : detections;
    }
    this.lastMs = performance.now() - t0;
    return out;
  }

  private async start(frame: Frame): Promise<void> {
    this.estimator = await ViewEstimator.create({ maxCorners: this.cfg.maxCorners });
    if (!this.d.referenceFile) return;
    const field = `cameras.${this.d.cameraId}.viewGuard.referenceImage`;
    try {
      const ref = await readReferenceImage(this.d.referenceFile, frame.content, this.cfg.imageWidthPx);
      const corners = this.estimator.setKeyframe(
        ref,
        identity(ref.height / ref.width),
        [],
        this.cfg.minInliers * REFERENCE_CORNER_FACTOR,
      );
      if (corners < this.cfg.minInliers * REFERENCE_CORNER_FACTOR)
        throw new Error(
          `${this.d.referenceFile}: only ${corners} corners, too little texture to measure against`,
        );
      this.capturing = false;
      this.keySinceMs = frame.tsMs;
      this.d.log.info({ file: this.d.referenceFile, corners }, 'view guard: reference picture loaded');
    } catch (err) {
      // The process keeps serving: the guard falls back to the first textured frame, and says why.
      this.d.log.error(
        { field, value: this.d.referenceFile, err: (err as Error).message },
        'view guard: reference picture unusable; the first textured frame is the reference instead',
      );
    }
  }

  private stateOptions() {
    return { resumeMoveNorm: this.cfg.resumeMoveNorm, resumeAfterMs: this.cfg.resumeAfterS * 1000 };
  }

  /**
   * While the rules run and the cheap check finds the view where the last full measurement put it, that
   * measurement stands; where the check finds it moved a little (at most CHECK_FOLLOW_PX, within maxMoveNorm), the
   * check's own fit moves the estimate (the anchor frame's measurement, then the check's movement since). A full
   * measurement runs when the check cannot follow and intervalMs has passed since the last, at least every
   * fullEveryS, and every intervalMs while there is no check (no reliable measurement yet, fullEveryS 0) or the
   * rules are paused: the resume and the reported shift rest on fresh full measurements (single ones against a
   * reference picture scatter by a few pixels).
   */
  private observe(frame: Frame, detections: readonly Detection[]): void {
    const sinceFullMs = frame.tsMs - this.lastEstimateAt;
    if (!this.paused && this.check && this.anchorView && sinceFullMs < this.cfg.fullEveryS * 1000) {
      const r = this.check.run(frame);
      const followed = r.unchanged
        ? this.anchorView
        : r.fit && r.movePx <= CHECK_FOLLOW_PX
          ? compose(r.fit, this.anchorView)
          : undefined;
      const drift = followed && driftOf(followed);
      const toReference = followed && invert(followed);
      if (drift && toReference && drift.maxMoveNorm <= this.cfg.maxMoveNorm) {
        this.current = followed;
        this.toReference = toReference;
        if (this.state) this.state.lastDrift = drift;
        this.stats.checks++;
        return;
      }
    }
    if (sinceFullMs < this.cfg.intervalMs) return;
    this.lastEstimateAt = frame.tsMs;
    this.measure(frame, detections);
  }

  private measure(frame: Frame, detections: readonly Detection[]): void {
    const img = grayViewFromFrame(frame, this.cfg.imageWidthPx);
    const tsMs = frame.tsMs;
    const est = this.estimator!;
    const boxes = detections.map((det) => det.boxXyxyNorm as BoxNorm);
    const minReference = this.cfg.minInliers * REFERENCE_CORNER_FACTOR;
    if (this.capturing) {
      // Captured at start: by definition the view the geometry fits, so the rules run from this frame on.
      const corners = est.setKeyframe(img, identity(img.height / img.width), boxes, minReference);
      if (corners >= minReference) {
        this.capturing = false;
        this.keySinceMs = tsMs;
        this.current = identity(img.height / img.width);
        this.toReference = this.current;
        this.state = new ViewGuardState(this.stateOptions(), 'steady', tsMs);
        this.state.lastDrift = driftOf(this.current);
        this.d.log.info({ corners }, 'view guard: reference captured from the stream');
        this.d.onChange?.(this.status()!);
      } else if (!this.state) {
        this.state = new ViewGuardState(this.stateOptions(), 'uncertain', tsMs);
        this.state.lastReason = `waiting for a textured frame (${corners} corners < ${minReference})`;
        this.d.onChange?.(this.status()!);
      }
      return;
    }
    let estimate = est.estimate(img, this.current);
    if (!estimate || this.paused) {
      // Seeded from the last measure the flow follows a slow drift; seeded from the keyframe it finds a view that
      // has come back, or recovers from one bad measure. While paused (or lost) both are tried, the better kept.
      const fromKey = est.estimate(img);
      if (fromKey && (!estimate || fromKey.inliers > estimate.inliers)) estimate = fromKey;
    }
    this.stats.estimates++;
    const verdict = classifyDrift(estimate, this.limits);
    if (estimate && verdict.kind !== 'unreliable') {
      this.current = estimate.transform;
      this.toReference = invert(estimate.transform);
    }
    const paused = this.judge(verdict, tsMs);
    // The next frames are checked against this one where the measurement could be trusted; otherwise each is
    // measured in full (at most every intervalMs) until one can.
    this.check =
      estimate?.pointsNorm && verdict.kind !== 'unreliable' && this.cfg.fullEveryS > 0
        ? ViewCheck.anchor(frame, estimate.pointsNorm, boxes)
        : undefined;
    this.anchorView = this.check ? estimate?.transform : undefined;
    const keyAgeMs = tsMs - this.keySinceMs;
    const refreshDue =
      this.cfg.refreshS > 0 &&
      (keyAgeMs >= this.cfg.refreshS * 1000 ||
        (keyAgeMs >= MIN_REFRESH_MS &&
          (estimate?.inliers ?? 0) < this.cfg.minInliers * REFRESH_INLIER_FACTOR));
    if (estimate && verdict.kind === 'steady' && !paused && refreshDue) {
      if (est.setKeyframe(img, estimate.transform, boxes, minReference) >= minReference)
        this.keySinceMs = tsMs;
    }
  }

  /** Steps the pause state with a verdict (reporting a change); returns whether the rules are paused. */
  private judge(verdict: DriftVerdict, tsMs: number): boolean {
    const state = this.state;
    let changed: boolean;
    let paused: boolean;
    if (!state) {
      // The first measure against a reference picture: no earlier movement to calm down from, so a view found
      // where the geometry was drawn runs at once, and one found elsewhere starts paused.
      const initial =
        verdict.kind === 'unreliable'
          ? 'uncertain'
          : verdict.drift.maxMoveNorm <= this.cfg.resumeMoveNorm
            ? 'steady'
            : 'moved';
      const first = new ViewGuardState(this.stateOptions(), initial, tsMs);
      first.lastDrift = verdict.drift;
      first.lastReason = verdict.kind === 'unreliable' ? verdict.reason : undefined;
      this.state = first;
      changed = true;
      paused = first.paused;
      if (paused) this.stats.pauses++;
    } else {
      const wasPaused = state.paused;
      ({ changed, paused } = state.step(verdict, tsMs));
      if (changed && paused && !wasPaused) this.stats.pauses++;
    }
    if (changed) {
      const status = this.status()!;
      this.d.log.warn({ view: status }, paused ? 'view guard: rules paused' : 'view guard: rules running');
      this.d.onChange?.(status);
    }
    return paused;
  }

  /** A box in reference coordinates -> where it is in the current picture (evidence, crops). */
  toCurrentBox(box: BoxNorm): [number, number, number, number] {
    return this.current ? mapBox(this.current, box) : [box[0], box[1], box[2], box[3]];
  }

  /** The event as the current picture shows it: boxes and path mapped back, so they sit on the snapshot. */
  toCurrentView(event: MatthanEvent): MatthanEvent {
    const t = this.current;
    if (!t) return event;
    const box = (b: BoxNorm) => mapBox(t, b).map(r4) as [number, number, number, number];
    const out: MatthanEvent = { ...event, boxXyxyNorm: box(event.boxXyxyNorm) };
    if (event.best) out.best = { ...event.best, boxXyxyNorm: box(event.best.boxXyxyNorm) };
    if (event.details?.pathNorm)
      out.details = {
        ...event.details,
        pathNorm: event.details.pathNorm.map((p) => {
          const [x, y] = applyNorm(t, p);
          return [r4(Math.min(1, Math.max(0, x))), r4(Math.min(1, Math.max(0, y)))] as [number, number];
        }),
      };
    return out;
  }

  metrics(): ViewGuardMetrics {
    const d = this.state?.lastDrift;
    return { ...this.stats, paused: this.paused, scale: d?.scale ?? 1, maxMoveNorm: d?.maxMoveNorm ?? 0 };
  }

  /** The status message's `view` field; undefined before the first frame. */
  status(): ViewStatus | undefined {
    const s = this.state;
    if (!s) return undefined;
    const out: ViewStatus = { state: s.state, paused: s.paused, sinceTs: Math.round(s.sinceMs) };
    const d = s.lastDrift;
    if (d) {
      out.shiftNorm = [
        r4(Math.max(-10, Math.min(10, d.shiftNorm[0]))),
        r4(Math.max(-10, Math.min(10, d.shiftNorm[1]))),
      ];
      out.scale = r4(Math.min(100, d.scale));
      out.rotationDeg = Math.round(d.rotationDeg * 100) / 100;
    }
    if (s.state === 'uncertain' && s.lastReason) out.reason = s.lastReason.slice(0, 256);
    return out;
  }

  close(): void {
    this.estimator?.close();
  }
}
