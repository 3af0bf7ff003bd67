// The view guard on the PTZ clip (hcmc_intersection_1080p.mp4, "VIEW PTZ" overlay): signal fixed red, the stop
// line read off the frames (test/helpers/hcmc-stop-line.ts), default thresholds. Vehicles already on or past the
// line at t = 0 must not fire and vehicles that cross it from behind must. Measured here: the clip's own view does not move (the guard's estimate stays
// within a pixel or two at 1080p), so it runs as is, and once more with a slow synthetic tilt (a 1920x1020
// window sliding 3 px/s down the picture, 31 px over the clip: the paint drifts up under a fixed image line),
// with the guard on and off.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.ts';
import type { MatthanEvent } from '../../contract/index.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { loadDetector } from '../../edge/detect/load-detector.ts';
import { media, tempDir } from '../helpers/fixtures.ts';
import {
  crossersWithoutEvent,
  crossesFromBehind,
  firstSeenOnLine,
  HCMC_STOP_LINE,
  onTheLineTracks,
  onTheLineWithEvent,
  sideOfStopLine,
} from '../helpers/hcmc-stop-line.ts';
import { redLightCamera, renderClip, runView, type ViewRun } from '../helpers/view-run.ts';

type P = [number, number];
/** The painted stop line's queue-side edge (1920x1080): y 0.630 at the left edge, 0.665 at the right. */
const STOP_LINE: P[] = HCMC_STOP_LINE;
const TILT_H = 1020;
const TILT_PX_PER_S = 3;
const TILT = `[0]crop=1920:${TILT_H}:0:y='${TILT_PX_PER_S}*t'[out]`;
/** The same paint in the tilt clip's first frame (window at y = 0, 1020 high). */
const TILT_LINE: P[] = STOP_LINE.map(([x, y]) => [x, (y * 1080) / TILT_H]);

const pathOf = (e: MatthanEvent): P[] => (e.details?.pathNorm ?? []) as P[];
const starts = (run: ViewRun, rule: string) =>
  run.events.filter((e) => e.rule === rule && e.phase === 'start');
/** Every confirmed track's path, as the parallel all-tracks capture last saw it (trackId -> path). */
function tracksOf(run: ViewRun): Map<number, P[]> {
  const m = new Map<number, P[]>();
  for (const e of run.events)
    if (e.rule === 'all-tracks' && e.trackId !== undefined && pathOf(e).length > 0)
      m.set(e.trackId, pathOf(e));
  return m;
}
/** Each track's box height when the all-tracks capture first saw it (trackId -> height, normalised). */
function firstHeightsOf(run: ViewRun): Map<number, number> {
  const m = new Map<number, number>();
  for (const e of run.events)
    if (e.rule === 'all-tracks' && e.trackId !== undefined && !m.has(e.trackId))
      m.set(e.trackId, e.boxXyxyNorm[3] - e.boxXyxyNorm[1]);
  return m;
}

describe('view guard on the PTZ clip: standing vehicles do not fire, crossing ones do', () => {
  let detector: Detector;
  let still: ViewRun;
  let tiltGuarded: ViewRun;
  let tiltUnguarded: ViewRun;
  beforeAll(async () => {
    const clip = media('hcmc_intersection_1080p.mp4');
    const tiltFile = path.join(tempDir('matthan-view-ptz-'), 'tilt.mp4');
    renderClip(clip, TILT, tiltFile);
    const yaml = redLightCamera(clip, STOP_LINE);
    const cfg = parseConfig(yaml, 'ptz.yaml', EdgeConfigSchema, { env: {} });
    detector = (await loadDetector(cfg.detector, { dataDir: tempDir() })).detector;
    still = await runView(detector, yaml);
    tiltGuarded = await runView(detector, redLightCamera(tiltFile, TILT_LINE));
    tiltUnguarded = await runView(
      detector,
      redLightCamera(tiltFile, TILT_LINE, '    viewGuard: { enabled: false }'),
    );
    if (process.env.VIEW_DEBUG)
      for (const [name, run] of [
        ['still', still],
        ['tilt+guard', tiltGuarded],
        ['tilt-guard', tiltUnguarded],
      ] as const) {
        for (const e of starts(run, 'red-light'))
          console.log(
            name,
            'red_light',
            run.tSec(e.ts).toFixed(1),
            e.trackId,
            e.label,
            JSON.stringify(e.boxXyxyNorm),
          );
        for (const [id, p] of tracksOf(run)) console.log(name, 'track', id, JSON.stringify(p));
        console.log(name, 'view', JSON.stringify(run.frames.at(-1)?.view));
      }
  }, 400_000);
  afterAll(async () => {
    await detector?.close();
  });

  it("the clip's own view does not move: the guard measures it within 2 px at 1080p and never pauses", () => {
    expect(still.frames.length).toBeGreaterThan(45);
    for (const f of still.frames) {
      const v = f.view!;
      expect(v.paused).toBe(false);
      expect(Math.abs(v.shiftNorm![0] * 1920)).toBeLessThanOrEqual(2);
      expect(Math.abs(v.shiftNorm![1] * 1080)).toBeLessThanOrEqual(2);
      expect(Math.abs(v.scale! - 1)).toBeLessThanOrEqual(0.005);
    }
  });

  it('the tilt is measured as it happens (within 5 px) and followed without a pause', () => {
    for (const f of tiltGuarded.frames) {
      const v = f.view!;
      expect(v.paused).toBe(false);
      const expectedPx = -TILT_PX_PER_S * f.tSec;
      expect(Math.abs(v.shiftNorm![1] * TILT_H - expectedPx)).toBeLessThanOrEqual(5);
    }
  });

  describe('still clip (the reference view is the picture: paths can be judged against the drawn line)', () => {
    const side = (p: P) => sideOfStopLine(p, STOP_LINE);
    const firedIds = () => new Set(starts(still, 'red-light').map((e) => e.trackId));

    it('no red_light for a vehicle already past the stop line when first seen', () => {
      const fired = firedIds();
      const bornPast = [...tracksOf(still)].filter(([, p]) => side(p[0]!) < 0);
      expect(bornPast.length).toBeGreaterThan(0);
      for (const [id] of bornPast) expect(fired.has(id), `track ${id}`).toBe(false);
    });

    it('no red_light for a vehicle that never leaves the approach side', () => {
      const fired = firedIds();
      const behind = [...tracksOf(still)].filter(([, p]) => p.every((pt) => side(pt) >= 0));
      expect(behind.length).toBeGreaterThan(0);
      for (const [id] of behind) expect(fired.has(id), `track ${id}`).toBe(false);
    });

    it('no red_light for the vehicles standing on the line at t = 0, though they were tracked and drove across it', () => {
      const fired = firedIds();
      for (const { vehicle, trackIds, car, crossed } of onTheLineTracks(tracksOf(still), STOP_LINE)) {
        for (const id of trackIds) expect(fired.has(id), `${vehicle.what}: track ${id}`).toBe(false);
        // The anchors of the two cars end up past the line: they fired before waitBehindBoxHeights.
        if (car) expect(trackIds.length > 0 && crossed, `${vehicle.what} tracked and crossed`).toBe(true);
      }
      // And no red_light event at all belongs to a track that was first seen on the line.
      expect(onTheLineWithEvent(starts(still, 'red-light').map(pathOf))).toEqual([]);
    });

    it('red_light for each car queued behind the line that crosses it', () => {
      expect(crossersWithoutEvent(starts(still, 'red-light').map(pathOf))).toEqual([]);
    });

    it('red_light for every well-observed crossing from behind, none for a track first seen on the line', () => {
      const fired = firedIds();
      const heights = firstHeightsOf(still);
      const tracks = [...tracksOf(still)];
      const fromBehind = tracks.filter(([id, p]) => crossesFromBehind(p, heights.get(id)!, STOP_LINE));
      expect(fromBehind.length).toBeGreaterThanOrEqual(4);
      for (const [id] of fromBehind) expect(fired.has(id), `track ${id}`).toBe(true);
      const onLine = tracks.filter(([id, p]) => firstSeenOnLine(p, heights.get(id)!, STOP_LINE));
      expect(onLine.length).toBeGreaterThanOrEqual(2);
      for (const [id] of onLine) expect(fired.has(id), `track ${id}`).toBe(false);
      for (const e of starts(still, 'red-light')) expect(side(tracksOf(still).get(e.trackId!)![0]!)).toBe(1);
    });
  });

  it('with the guard, the tilting clip fires for the same vehicles as the still one, at the same moments', () => {
    const at = (run: ViewRun) => starts(run, 'red-light').map((e) => run.tSec(e.ts));
    const stillTimes = at(still);
    const tiltTimes = at(tiltGuarded);
    expect(tiltTimes.length).toBe(stillTimes.length);
    for (const t of stillTimes)
      expect(
        tiltTimes.some((u) => Math.abs(u - t) <= 0.41),
        `crossing at ${t} s`,
      ).toBe(true);
  });

  // Event paths come back in the current picture, which moves under the tilt; the still clip is the ground truth.
  it('without the guard, the tilt makes standing vehicles "cross" the fixed image line', () => {
    const stillTimes = starts(still, 'red-light').map((e) => still.tSec(e.ts));
    const extra = starts(tiltUnguarded, 'red-light').filter(
      (e) => !stillTimes.some((t) => Math.abs(t - tiltUnguarded.tSec(e.ts)) <= 0.41),
    );
    expect(extra.length).toBeGreaterThan(0);
  });
});
