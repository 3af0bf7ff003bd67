// The view guard against a configured reference picture (viewGuard.referenceImage): the HCMC clip against a frame
// of itself; a 1600x900 window of the clip against the same window of that frame 150 px further left (a camera
// re-aimed while the box was off); and against a picture of another aspect (refused with its field named; the
// first frame is the reference instead).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { loadDetector } from '../../edge/detect/load-detector.ts';
import { media, tempDir } from '../helpers/fixtures.ts';
import { redLightCamera, renderClip, runView, type ViewRun } from '../helpers/view-run.ts';

const LINE: [number, number][] = [
  [0, 0.63],
  [1, 0.665],
];
const SHIFT_PX = 150;
/**
 * Against a picture taken at another moment (other vehicles, JPEG) single measures scatter more than against a
 * frame of the stream: measured, the median within 1 px (the picture goes through the stream's scaler) and single
 * measures up to 23 px off (1.2 % of the width, far inside the followed band).
 */
const MEDIAN_PX = 3;
const WORST_PX = 30;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('view guard with a reference picture', () => {
  let detector: Detector;
  let same: ViewRun;
  let shifted: ViewRun;
  let wrongAspect: ViewRun;
  beforeAll(async () => {
    const clip = media('hcmc_intersection_1080p.mp4');
    const dir = tempDir('matthan-view-ref-');
    const moved = path.join(dir, 'drawn-on.png');
    const movedClip = path.join(dir, 'moved.mp4');
    // The geometry was drawn on the window at x = 160; the camera now looks 150 px further right.
    execFileSync(
      'ffmpeg',
      ['-v', 'error', '-y', '-i', media('hcmc_intersection_frame.jpg')].concat([
        '-vf',
        'crop=1600:900:160:90',
        moved,
      ]),
    );
    renderClip(clip, `[0]crop=1600:900:${160 + SHIFT_PX}:90[out]`, movedClip);
    const withRef = (url: string, file: string) =>
      redLightCamera(url, LINE, `    viewGuard: { referenceImage: ${JSON.stringify(file)} }`);
    const cfg = parseConfig(withRef(clip, 'x.png'), 'ref.yaml', EdgeConfigSchema, { env: {} });
    detector = (await loadDetector(cfg.detector, { dataDir: tempDir() })).detector;
    same = await runView(detector, withRef(clip, media('hcmc_intersection_frame.jpg')));
    shifted = await runView(detector, withRef(movedClip, moved));
    wrongAspect = await runView(detector, withRef(clip, media('street_nyc_bus_taxi.jpg')));
    if (process.env.VIEW_DEBUG)
      for (const [n, r, w, h] of [
        ['same', same, 1920, 1080],
        ['shifted', shifted, 1600, 900],
      ] as const)
        for (const f of r.frames)
          console.log(
            n,
            f.tSec.toFixed(1),
            (f.view!.shiftNorm![0] * w).toFixed(1),
            (f.view!.shiftNorm![1] * h).toFixed(1),
            f.view!.scale,
          );
  }, 300_000);
  afterAll(async () => {
    await detector?.close();
  });

  it('a frame of the same view: steady from the first measure, never paused, and the rules run', () => {
    expect(same.changes[0]?.view.state).toBe('steady');
    const errorsPx = same.frames.map((f) => {
      expect(f.view!.paused).toBe(false);
      return Math.hypot(f.view!.shiftNorm![0] * 1920, f.view!.shiftNorm![1] * 1080);
    });
    expect(median(errorsPx)).toBeLessThanOrEqual(MEDIAN_PX);
    expect(Math.max(...errorsPx)).toBeLessThanOrEqual(WORST_PX);
    // The file is read faster than real time and the newest frame wins: a loaded box analyses fewer frames and
    // sees fewer of the clip's 9 crossings, so only "some fire" is load-proof.
    expect(
      same.events.filter((e) => e.rule === 'red-light' && e.phase === 'start').length,
    ).toBeGreaterThanOrEqual(3);
  });

  it('a camera re-aimed while the box was off: "moved" from the start, the shift measured, no event at all', () => {
    expect(shifted.changes[0]?.view.state).toBe('moved');
    const errorsPx: number[] = [];
    for (const f of shifted.frames) {
      expect(f.view!.paused).toBe(true);
      expect(f.view!.state).toBe('moved');
      // The reference's centre now appears 150 px (of the 1600 px picture) to the left.
      errorsPx.push(Math.hypot(f.view!.shiftNorm![0] * 1600 + SHIFT_PX, f.view!.shiftNorm![1] * 900));
    }
    expect(median(errorsPx)).toBeLessThanOrEqual(MEDIAN_PX);
    expect(Math.max(...errorsPx)).toBeLessThanOrEqual(WORST_PX);
    expect(shifted.events.filter((e) => e.phase === 'start')).toEqual([]);
  });

  it('a picture of another aspect is refused and the first frame becomes the reference', () => {
    expect(wrongAspect.changes[0]?.view.state).toBe('steady');
    expect(wrongAspect.frames.every((f) => f.view?.paused === false)).toBe(true);
    expect(
      wrongAspect.events.filter((e) => e.rule === 'red-light' && e.phase === 'start').length,
    ).toBeGreaterThanOrEqual(3);
  });
});
