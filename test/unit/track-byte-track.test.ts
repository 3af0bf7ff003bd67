import { describe, expect, it } from 'vitest';
import type { Detection } from '../../edge/detect/detection.ts';
import { ByteTrack } from '../../edge/track/byte-track.ts';
import type { Track } from '../../edge/track/track.ts';

const T0 = Date.parse('2026-11-23T03:00:00Z');
const FRAME_MS = 200; // 5 fps, the camera default
const CLASSES: Record<string, number> = { person: 0, car: 2, motorcycle: 3 };

/** A w x h box whose bottom-centre is (x, y), clamped to the frame. */
function det(x: number, y: number, score = 0.9, label = 'car', w = 0.08, h = 0.06): Detection {
  const c = (v: number) => Math.min(1, Math.max(0, v));
  return {
    classId: CLASSES[label]!,
    label,
    score,
    boxXyxyNorm: [c(x - w / 2), c(y - h), c(x + w / 2), c(y)],
  };
}

/** Feeds frames at 5 fps; returns what update() returned per frame (snapshots of id/confirmed). */
function run(tracker: ByteTrack, frames: Detection[][], startFrame = 0) {
  return frames.map((dets, i) =>
    tracker.update(dets, T0 + (startFrame + i) * FRAME_MS).map((t) => ({ ...t, path: [...t.path] })),
  );
}
const repeat = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
const idsOf = (frames: Track[][]) => frames.map((f) => f.map((t) => t.id));

describe('ByteTrack', () => {
  it.each([
    ['parked', 0, 0],
    ['slow, to the right', 0.005, 0],
    ['towards the camera', 0, 0.01],
    ['fast diagonal (a car at 50 km/h near the camera)', 0.03, 0.02],
  ])('a steady object keeps its id (%s)', (_, vx, vy) => {
    const frames = run(
      new ByteTrack(),
      repeat(25, (i) => [det(0.3 + vx * i, 0.4 + vy * i)]),
    );
    const ids = idsOf(frames).flat();
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(1);
  });

  it.each([1, 2, 3, 5])('confirms after minHits = %i consecutive frames, not before', (minHits) => {
    const frames = run(
      new ByteTrack({ minHits }),
      repeat(8, (i) => [det(0.5 + 0.01 * i, 0.6)]),
    );
    frames.forEach((f, i) => {
      expect(f).toHaveLength(1);
      expect(f[0]!.confirmed).toBe(i + 1 >= minHits);
      expect(f[0]!.hits).toBe(i + 1);
    });
  });

  it('an unconfirmed track missed for one frame is dropped (confirmation needs consecutive frames)', () => {
    const frames = run(new ByteTrack({ minHits: 3 }), [
      [det(0.5, 0.6)],
      [det(0.5, 0.6)],
      [],
      [det(0.5, 0.6)],
      [det(0.5, 0.6)],
      [det(0.5, 0.6)],
    ]);
    expect(frames[1]![0]!.confirmed).toBe(false);
    expect(frames[3]![0]!.id).not.toBe(frames[1]![0]!.id);
    expect(frames[4]![0]!.confirmed).toBe(false);
    expect(frames[5]![0]!.confirmed).toBe(true);
  });

  // lostTrackBufferMs 1500 at 5 fps: the gap from the last sighting is (missed + 1) * 200 ms.
  it.each([
    [1, 0, true],
    [3, 0.01, true],
    [6, 0.01, true], // 1400 ms
    [6, 0, true],
    [7, 0, false], // 1600 ms
    [12, 0.01, false],
  ])('a confirmed track missed for %i frame(s) (vx %f) keeps its id: %s', (missed, vx, same) => {
    const x = (i: number) => 0.2 + vx * i;
    const before = repeat(6, (i) => [det(x(i), 0.5)]);
    const gap = repeat(missed, () => [] as Detection[]);
    const after = repeat(3, (i) => [det(x(6 + missed + i), 0.5)]);
    const frames = run(new ByteTrack({ lostTrackBufferMs: 1500 }), [...before, ...gap, ...after]);
    const firstId = frames[0]![0]!.id;
    const back = frames[6 + missed]![0]!;
    expect(back.id === firstId).toBe(same);
    // A re-found track is confirmed at once; a new one is not.
    expect(back.confirmed).toBe(same);
    expect(frames.slice(6, 6 + missed).flat()).toEqual([]);
  });

  it.each([
    ['head-on along one lane', [0.1, 0.5, 0.03, 0], [0.9, 0.52, -0.03, 0]],
    ['perpendicular through a junction', [0.1, 0.5, 0.03, 0], [0.5, 0.1, 0, 0.03]],
    ['overtaking at different speeds', [0.05, 0.5, 0.04, 0], [0.25, 0.51, 0.015, 0]],
  ])('two crossing objects keep their ids (%s)', (_, a, b) => {
    // 20 frames: both stay inside the frame (a box cut by the frame edge is another test).
    const frames = run(
      new ByteTrack(),
      repeat(20, (i) => [
        det(a[0]! + a[2]! * i, a[1]! + a[3]! * i),
        det(b[0]! + b[2]! * i, b[1]! + b[3]! * i),
      ]),
    );
    const idA = frames[0]![0]!.id;
    const idB = frames[0]![1]!.id;
    expect(idA).not.toBe(idB);
    frames.forEach((f, i) => {
      expect(f).toHaveLength(2);
      // Each object is identified by the box it was given: the detection box comes back unchanged.
      const ta = f.find((t) => t.id === idA)!;
      const tb = f.find((t) => t.id === idB)!;
      expect(ta.boxXyxyNorm).toEqual(det(a[0]! + a[2]! * i, a[1]! + a[3]! * i).boxXyxyNorm);
      expect(tb.boxXyxyNorm).toEqual(det(b[0]! + b[2]! * i, b[1]! + b[3]! * i).boxXyxyNorm);
    });
  });

  it.each([
    ['between lowThresh and trackThresh', 0.3, true],
    ['between trackThresh and newTrackThresh', 0.55, true],
    ['just above lowThresh', 0.11, true],
    ['below lowThresh', 0.05, false],
  ])('a detection scoring %s (%f) continues a track: %s', (_, score, continues) => {
    const tracker = new ByteTrack();
    const before = run(
      tracker,
      repeat(5, (i) => [det(0.3 + 0.01 * i, 0.5)]),
    );
    const during = run(
      tracker,
      repeat(4, (i) => [det(0.35 + 0.01 * i, 0.5, score)]),
      5,
    );
    const id = before[0]![0]!.id;
    if (continues) {
      expect(idsOf(during)).toEqual(repeat(4, () => [id]));
      expect(during[3]![0]!.score).toBe(score);
    } else expect(idsOf(during)).toEqual(repeat(4, () => []));
  });

  it.each([0.05, 0.3, 0.5, 0.59])('a detection scoring %f never starts a track', (score) => {
    const tracker = new ByteTrack();
    const frames = run(
      tracker,
      repeat(10, () => [det(0.5, 0.5, score)]),
    );
    expect(frames.flat()).toEqual([]);
    expect(tracker.size).toBe(0);
  });

  it('a detection at newTrackThresh starts a track', () => {
    const frames = run(new ByteTrack(), [[det(0.5, 0.5, 0.6)]]);
    expect(frames[0]).toHaveLength(1);
  });

  it.each([
    ['car then person', 'car', 'person'],
    ['motorcycle then car', 'motorcycle', 'car'],
  ])('a class change does not continue a track (%s)', (_, first, second) => {
    const frames = run(new ByteTrack(), [
      ...repeat(5, () => [det(0.5, 0.5, 0.9, first)]),
      ...repeat(3, () => [det(0.5, 0.5, 0.9, second)]),
    ]);
    const firstId = frames[0]![0]!.id;
    expect(frames[5]![0]!.id).not.toBe(firstId);
    expect(frames[5]![0]!.label).toBe(second);
    expect(frames[5]![0]!.confirmed).toBe(false);
    // The first object comes back within the lost buffer and gets its own id again.
    const back = new ByteTrack();
    const f2 = run(back, [
      ...repeat(5, () => [det(0.5, 0.5, 0.9, first)]),
      [det(0.5, 0.5, 0.9, second)],
      [det(0.5, 0.5, 0.9, first)],
    ]);
    expect(f2[6]![0]!.id).toBe(f2[0]![0]!.id);
  });

  it.each([
    0, 3, 20,
  ])('empty frames return no tracks, and lost tracks expire (after %i frames of one car)', (n) => {
    const tracker = new ByteTrack({ lostTrackBufferMs: 1500 });
    run(
      tracker,
      repeat(n, () => [det(0.5, 0.5)]),
    );
    const empty = run(
      tracker,
      repeat(10, () => []),
      n,
    );
    expect(empty.flat()).toEqual([]);
    expect(tracker.size).toBe(0);
  });

  it.each([
    ['backwards by an hour', -3_600_000],
    ['backwards by one frame', -FRAME_MS],
  ])('a frame time going %s ends the old tracks instead of keeping them forever', (_, jumpMs) => {
    const tracker = new ByteTrack();
    const before = run(
      tracker,
      repeat(5, () => [det(0.5, 0.5)]),
    );
    const lastTs = T0 + 4 * FRAME_MS;
    const after = tracker.update([det(0.2, 0.2)], lastTs + jumpMs);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBeGreaterThan(before[0]![0]!.id);
    expect(tracker.size).toBe(1);
  });

  it('ids are never reused', () => {
    const tracker = new ByteTrack({ lostTrackBufferMs: 400 });
    const seenIds: number[] = [];
    let maxId = 0;
    // Objects come and go in waves at different places; gaps longer than the buffer end every track.
    for (let wave = 0; wave < 12; wave++) {
      const count = 1 + (wave % 4);
      const frames = run(
        tracker,
        [
          ...repeat(4, () => repeat(count, (k) => det(0.1 + 0.2 * k, 0.3 + 0.05 * (wave % 3)))),
          ...repeat(4, () => []),
        ],
        wave * 8,
      );
      const ids = [...new Set(frames.flat().map((t) => t.id))];
      expect(ids).toHaveLength(count);
      for (const id of ids) {
        expect(id).toBeGreaterThan(maxId);
        seenIds.push(id);
      }
      maxId = Math.max(...ids);
    }
    expect(new Set(seenIds).size).toBe(seenIds.length);
  });

  it.each([2, 5, 64])('the path holds the last %i anchors, oldest first', (pathLength) => {
    const frames = run(
      new ByteTrack({ pathLength }),
      repeat(80, (i) => [det(0.1 + 0.01 * i, 0.5 + 0.002 * i)]),
    );
    const last = frames[79]![0]!;
    expect(last.path).toHaveLength(pathLength);
    last.path.forEach((p, k) => {
      const i = 80 - pathLength + k;
      expect(p.tsMs).toBe(T0 + i * FRAME_MS);
      expect(p.x).toBeCloseTo(0.1 + 0.01 * i, 9);
      expect(p.y).toBeCloseTo(0.5 + 0.002 * i, 9);
    });
  });

  it('a matched track carries the detection box, not the Kalman prediction', () => {
    const frames = run(
      new ByteTrack(),
      repeat(10, (i) => [det(0.2 + 0.02 * i + (i % 2 ? 0.005 : 0), 0.5)]),
    );
    frames.forEach((f, i) => {
      expect(f[0]!.boxXyxyNorm).toEqual(det(0.2 + 0.02 * i + (i % 2 ? 0.005 : 0), 0.5).boxXyxyNorm);
    });
  });

  it('an anchor on the frame bottom is nudged inside', () => {
    const frames = run(new ByteTrack({ minHits: 1 }), [[det(0.5, 1)]]);
    expect(frames[0]![0]!.path[0]!.y).toBe(1 - 1e-6);
  });
});

describe('ByteTrack re-identification', () => {
  const PARKED: [number, number] = [0.4, 0.7];
  /** A parked car: seen for 5 s, back on the same spot gapMs after its last sighting, seen for 3 s. */
  function parkedWithGap(gapMs: number, tracker: ByteTrack, noise = 0) {
    const n = gapMs / FRAME_MS - 1;
    const at = (i: number) =>
      det(PARKED[0] + noise * Math.sin(i * 1.7), PARKED[1] + noise * Math.cos(i * 2.3));
    const frames = run(tracker, [
      ...repeat(25, (i) => [at(i)]),
      ...repeat(n, () => [] as Detection[]),
      ...repeat(15, (i) => [at(25 + n + i)]),
    ]);
    return { before: frames[24]![0]!, after: frames.at(-1)![0]!, frames };
  }

  it.each([
    ['2 s (beyond the 1.5 s lost buffer)', 2_000, {}, true],
    ['10 s (a bus passing in front)', 10_000, {}, true],
    ['30 s, at the window edge', 30_000, {}, true],
    ['31 s, past reidStationaryMs', 31_000, {}, false],
    ['10 s with stationary re-identification off', 10_000, { reidStationaryMs: 0 }, false],
    ['10 s with a window of 5 s', 10_000, { reidStationaryMs: 5_000 }, false],
  ])('a parked car hidden for %s keeps its id: %s', (_, gapMs, options, same) => {
    const tracker = new ByteTrack(options);
    const { before, after } = parkedWithGap(gapMs, tracker);
    expect(after.id === before.id).toBe(same);
    expect(after.confirmed).toBe(true);
    expect(tracker.reidentified.stationary).toBe(same ? 1 : 0);
    if (same) {
      // It is the old track again: first sighting and path continue.
      expect(after.firstSeenTs).toBe(T0);
      expect(after.path[0]!.tsMs).toBeLessThan(T0 + 25 * FRAME_MS);
    }
  });

  it('a parked car whose box jitters by 0.3 % of the frame (5 % of its height) is still re-identified', () => {
    const tracker = new ByteTrack();
    const { before, after } = parkedWithGap(8_000, tracker, 0.003);
    expect(after.id).toBe(before.id);
  });

  it('the id it had while unconfirmed is never seen confirmed, and no other track gets the old id', () => {
    const tracker = new ByteTrack();
    const { before, frames } = parkedWithGap(8_000, tracker);
    const confirmedIds = new Set(
      frames
        .flat()
        .filter((t) => t.confirmed)
        .map((t) => t.id),
    );
    expect([...confirmedIds]).toEqual([before.id]);
  });

  it.each([
    ['another class stands on the spot', () => [det(PARKED[0], PARKED[1], 0.9, 'motorcycle', 0.08, 0.06)]],
    ['a car 0.06 to the side (IoU with the old box below 0.5)', () => [det(PARKED[0] + 0.06, PARKED[1])]],
  ])('a parked car hidden for 8 s is not continued when %s', (_, back) => {
    const tracker = new ByteTrack();
    const frames = run(tracker, [
      ...repeat(25, () => [det(PARKED[0], PARKED[1])]),
      ...repeat(40, () => [] as Detection[]),
      ...repeat(10, back),
    ]);
    expect(frames.at(-1)![0]!.id).not.toBe(frames[0]![0]!.id);
    expect(tracker.reidentified).toEqual({ moving: 0, stationary: 0 });
  });

  it("a car that drives in and stops on a hidden parked car's spot gets a new id (it was moving at birth)", () => {
    const tracker = new ByteTrack();
    const arriving = repeat(10, (i) => [det(PARKED[0], PARKED[1] + 0.2 - 0.02 * i)]);
    const frames = run(tracker, [
      ...repeat(25, () => [det(PARKED[0], PARKED[1])]),
      ...repeat(20, () => [] as Detection[]),
      ...arriving,
      ...repeat(10, () => [det(PARKED[0], PARKED[1])]),
    ]);
    expect(frames.at(-1)![0]!.id).not.toBe(frames[0]![0]!.id);
    expect(tracker.reidentified.stationary).toBe(0);
  });

  it.each([
    ['straight through', 0],
    ['each standing 5 s on the stop line first', 25],
  ])("the next car in the lane 3 s later never takes the first car's id (%s)", (_, standFrames) => {
    // Both cars drive up the frame to the stop line at y = 0.6 (standing there standFrames frames), cross it and
    // leave the picture at the top. The second one arrives 3 s after the first has left the line.
    const lane = (k: number): number | undefined => {
      const STOP = 12; // frame the car reaches the line
      const m = k <= STOP ? k : Math.max(STOP, k - standFrames);
      const y = 0.96 - 0.03 * m;
      return k >= 0 && y > 0.1 ? y : undefined;
    };
    const behind = standFrames + 15;
    const frames = run(
      new ByteTrack(),
      repeat(behind + 45, (i) =>
        [lane(i), lane(i - behind)].filter((y) => y !== undefined).map((y) => det(0.5, y)),
      ),
    );
    const ids = new Set(
      frames
        .flat()
        .filter((t) => t.confirmed)
        .map((t) => t.id),
    );
    expect(ids.size).toBe(2);
  });

  it('two riders side by side 0.09 apart keep two ids while one of them flickers', () => {
    const tracker = new ByteTrack();
    const frames = run(
      tracker,
      repeat(40, (i) => {
        const y = 0.9 - 0.01 * i;
        const a = det(0.45, y, 0.9, 'motorcycle', 0.04, 0.08);
        const b = det(0.54, y, 0.9, 'motorcycle', 0.04, 0.08);
        return i % 9 === 4 || i % 9 === 5 ? [a] : [a, b];
      }),
    );
    const ids = new Set(
      frames
        .flat()
        .filter((t) => t.confirmed)
        .map((t) => t.id),
    );
    expect(ids.size).toBe(2);
  });

  // matchIou 0.5 (a stricter user setting): a car braking while hidden for 3 frames comes back 0.42 box widths
  // behind its prediction (IoU 0.41, squared Mahalanobis distance 7.4), where stage 1 misses it but the Kalman
  // gate (9.49, grown over the gap) holds it. 0.67 widths behind (distance 18.8) is outside the gate.
  it('a moving car that brakes while hidden is re-found through its Kalman gate within the lost buffer', () => {
    const tracker = new ByteTrack({ matchIou: 0.5 });
    const frames = run(tracker, [
      ...repeat(10, (i) => [det(0.2 + 0.02 * i, 0.5)]),
      ...repeat(3, () => [] as Detection[]),
      ...repeat(6, (i) => [det(0.42 + 0.004 * i, 0.5)]),
    ]);
    const first = frames[0]![0]!.id;
    expect(frames[13]![0]!.id).not.toBe(first); // a new, unconfirmed track at first
    expect(frames[15]![0]!.id).toBe(first); // confirmed as the old one
    expect(frames.at(-1)![0]!.id).toBe(first);
    expect(tracker.reidentified).toEqual({ moving: 1, stationary: 0 });
  });

  it.each([
    ['outside its Kalman gate (0.67 box widths behind)', 0.4, false],
    ['after the lost buffer (moving cars are not remembered)', 0.42, true],
  ])('a moving car coming back %s gets a new id', (_, x, late) => {
    const tracker = new ByteTrack({ matchIou: 0.5 });
    const frames = run(tracker, [
      ...repeat(10, (i) => [det(0.2 + 0.02 * i, 0.5)]),
      ...repeat(late ? 10 : 3, () => [] as Detection[]),
      ...repeat(6, (i) => [det(x + 0.004 * i, 0.5)]),
    ]);
    expect(frames.at(-1)![0]!.id).not.toBe(frames[0]![0]!.id);
    expect(tracker.reidentified).toEqual({ moving: 0, stationary: 0 });
  });
});
