// Config schema of a camera's tracker (ByteTrack): score thresholds, matching IoU, confirmation, lost buffer,
// re-identification of stationary tracks, path.
import { type Static, Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.ts';

export const DEFAULT_TRACKER = {
  trackThresh: 0.5,
  lowThresh: 0.1,
  newTrackThresh: 0.6,
  matchIou: 0.2,
  minHits: 3,
  lostTrackBufferMs: 1500,
  reidStationaryMs: 30_000,
  reidIou: 0.5,
  pathLength: 64,
} as const;

const DETECTOR_NOTE =
  " Detections below the detector's `detector.confidence` (default 0.3) never reach the tracker, so the " +
  'low-score stage only sees scores between detector.confidence and trackThresh; lower detector.confidence ' +
  '(e.g. to lowThresh) to give it the 0.1..0.3 boxes of occluded and blurred objects.';

export const TrackerSchema = Type.Object(
  {
    trackThresh: Type.Number({
      minimum: 0,
      maximum: 1,
      default: DEFAULT_TRACKER.trackThresh,
      description:
        'Score (0..1, default 0.5) at or above which a detection is "high": it is matched first, to every ' +
        'tracked and lost track. Detections between lowThresh and trackThresh only continue tracks already ' +
        'being tracked. Higher trusts fewer boxes in the first stage (fewer id switches onto false positives) ' +
        'and leans more on the low stage.' +
        DETECTOR_NOTE,
    }),
    lowThresh: Type.Number({
      minimum: 0,
      maximum: 1,
      default: DEFAULT_TRACKER.lowThresh,
      description:
        'Score (0..1, default 0.1) below which a detection is ignored by the tracker. Lower keeps tracks alive ' +
        'through heavier occlusion and motion blur and risks continuing a track on background clutter.' +
        DETECTOR_NOTE,
    }),
    newTrackThresh: Type.Number({
      minimum: 0,
      maximum: 1,
      default: DEFAULT_TRACKER.newTrackThresh,
      description:
        'Score (0..1, default 0.6, at least trackThresh) an unmatched detection needs to start a new track. ' +
        'Higher starts fewer tracks on false positives and misses faint objects until they score higher; a ' +
        'low-score detection never starts a track.',
    }),
    matchIou: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: DEFAULT_TRACKER.matchIou,
      description:
        "Minimum IoU (0..1, default 0.2) between a track's predicted box and a high-score detection for them " +
        "to match (ByteTrack's match_thresh 0.8 as an IoU distance). Lower follows fast or far-apart motion at " +
        'low fps and risks swapping ids of neighbouring vehicles; higher needs more overlap between frames. ' +
        "The low-score stage keeps ByteTrack's stricter IoU 0.5.",
    }),
    minHits: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: DEFAULT_TRACKER.minHits,
      description:
        'Consecutive frames (default 3) a new track must be matched before it is confirmed; only confirmed ' +
        'tracks fire rules, and a new track missed once before confirmation is dropped. Higher filters more ' +
        'flickering false positives and delays every event by minHits / fps seconds.',
    }),
    lostTrackBufferMs: Type.Integer({
      minimum: 0,
      maximum: 60_000,
      default: DEFAULT_TRACKER.lostTrackBufferMs,
      description:
        'Milliseconds (default 1500) a confirmed track that is no longer detected is kept (Kalman-predicted) ' +
        'and may be re-found with its id. Increasing lostTrackBufferMs bridges longer occlusions (a bus ' +
        'passing in front) and risks giving a new vehicle an old id; lower ends tracks sooner and splits one ' +
        'vehicle into several ids (several events) after an occlusion. At most 60000: lost tracks are matched ' +
        'every frame, so a huge buffer on a busy road costs CPU and id mix-ups.',
    }),
    reidStationaryMs: Type.Integer({
      minimum: 0,
      maximum: 600_000,
      default: DEFAULT_TRACKER.reidStationaryMs,
      description:
        'Milliseconds (default 30000; 0 = off) a confirmed track that was lost while standing still (a parked or ' +
        'queued vehicle hidden by passing traffic, or missed by the detector) is remembered after the lost buffer. ' +
        'A new track of the same class that appears standing still on its last box (IoU >= reidIou at its first ' +
        'frame and at confirmation) takes its id back, so dwell timers and events continue instead of restarting. ' +
        'Only standing vehicles: a moving one is re-found only through its Kalman prediction within ' +
        'lostTrackBufferMs, because the next vehicle in a lane passes the same place. Longer bridges longer ' +
        'occlusions (a bus at a stop) and risks handing the id to another vehicle that parks on the same spot ' +
        'while the first is hidden.',
    }),
    reidIou: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: DEFAULT_TRACKER.reidIou,
      description:
        "Minimum IoU (0..1, default 0.5) between a new track's box and a stationary lost track's last box for " +
        're-identification (reidStationaryMs). Higher needs the box to come back almost exactly (fewer wrong ' +
        'hand-overs between neighbouring parked cars, more missed repairs when the detector box jitters); lower ' +
        'the reverse.',
    }),
    pathLength: Type.Integer({
      minimum: 2,
      maximum: 1000,
      default: DEFAULT_TRACKER.pathLength,
      description:
        'Anchor points kept per track (default 64, about 13 s at 5 fps): the path rules read headings and ' +
        'crossings from and the path an event carries. Longer gives rules more history and costs memory per ' +
        'track and event size.',
    }),
  },
  {
    additionalProperties: false,
    description:
      'ByteTrack multi-object tracker of this camera (edge/track/byte-track.ts). Default: ByteTrack defaults ' +
      'adapted to 5 fps.',
  },
);
export type TrackerConfig = Static<typeof TrackerSchema>;

/** Thresholds must be ordered low <= track <= new, or a stage can never run. */
export function checkTracker(t: TrackerConfig, at: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (t.lowThresh > t.trackThresh)
    issues.push({
      path: `${at}.lowThresh`,
      value: t.lowThresh,
      reason: `must be at most trackThresh (${t.trackThresh})`,
    });
  if (t.newTrackThresh < t.trackThresh)
    issues.push({
      path: `${at}.newTrackThresh`,
      value: t.newTrackThresh,
      reason: `must be at least trackThresh (${t.trackThresh}): only high-score detections start tracks`,
    });
  return issues;
}
