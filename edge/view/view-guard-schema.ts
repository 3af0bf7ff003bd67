// Config schema of a camera's view guard: the reference view, how often and how finely it is measured, the limits.
import { type Static, Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.ts';

export const ViewGuardSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description:
        "Measure how the camera's view has moved against the reference and keep zones and lines on the paint " +
        '(default true). It costs a fraction of one inference per analysed frame (`npm run bench`, view guard). ' +
        'Off, a camera that is bumped or re-aimed fires on its old geometry.',
    }),
    referenceImage: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The picture the zones and lines were drawn on (JPEG or PNG, any size with the stream's aspect), " +
          'relative to the config file. Default: none, the first analysed frame with enough texture is the ' +
          'reference. With it, a camera that was moved while the box was off is caught at start; without it, ' +
          'the geometry is assumed to fit whatever the camera shows when the edge starts.',
      }),
    ),
    imageWidthPx: Type.Integer({
      minimum: 64,
      maximum: 960,
      default: 320,
      description:
        "Width (px) of the grayscale image the guard measures on (height by the picture's aspect; never wider " +
        "than the model frame's picture). Default 320: one guard pixel is 6 px of a 1080p source. Wider measures " +
        'finer and costs about linearly more.',
    }),
    intervalMs: Type.Integer({
      minimum: 0,
      maximum: 10_000,
      default: 400,
      description:
        'Minimum ms between two full measurements (default 400: every 2nd frame at 5 fps; 0 = any analysed ' +
        'frame). Every analysed frame is checked cheaply against the last full measurement; the check holds the ' +
        'estimate while the view moved at most 0.5 px of the model frame and follows it itself up to 1 px. A full ' +
        'one runs when the check cannot (a jump, a drift past 1 px, vehicles over the check points) and this long ' +
        'has passed, so a jump is caught on its own frame unless a full measurement ran within this time (then on ' +
        'the frame after it). Lower catches a second jump sooner after a first and costs a full measurement per ' +
        'frame while the view moves fast.',
    }),
    fullEveryS: Type.Number({
      minimum: 0,
      maximum: 600,
      default: 5,
      description:
        'While the per-frame check finds the view where the last full measurement put it, a full measurement ' +
        'still runs this often (seconds, default 5; 0 = no check: a full measurement every intervalMs, several ' +
        'times the CPU). The full measurement re-counts the background points that agree (a view fading into ' +
        'fog or night turns "uncertain") and refreshes the keyframe. Longer saves CPU and notices such a slow ' +
        'loss of texture later; the check itself holds the estimate only within 0.5 px of the model frame and ' +
        'follows it only up to 1 px.',
    }),
    maxCorners: Type.Integer({
      minimum: 20,
      maximum: 1000,
      default: 200,
      description:
        'Background corners followed from the keyframe (default 200). More survive heavier traffic over them and ' +
        'cost about linearly more.',
    }),
    maxMoveNorm: Type.Number({
      exclusiveMinimum: 0,
      maximum: 0.5,
      default: 0.04,
      description:
        'Largest movement of any point of the picture (fraction of its width, the corners move most) that is ' +
        'followed: zones and lines move with the paint (default 0.04, 77 px at 1080p; a 10 % zoom moves the ' +
        'corners 0.057). Beyond it the view "moved" and the camera\'s rules pause. Higher keeps rules running ' +
        'through bigger moves, where a shift-zoom-roll model fits a re-aimed camera less well.',
    }),
    resumeMoveNorm: Type.Number({
      minimum: 0,
      maximum: 0.5,
      default: 0.03,
      description:
        'A paused view resumes only once its movement is at most this (fraction of the width; default 0.03, at ' +
        'most maxMoveNorm). The gap to maxMoveNorm keeps a view hovering at the limit from flapping.',
    }),
    resumeAfterS: Type.Number({
      minimum: 0,
      maximum: 600,
      default: 2,
      description:
        'Seconds of reliable measurements within resumeMoveNorm before paused rules resume (default 2). Longer ' +
        'rides out a PTZ head that settles in steps; every second of it is a second without events.',
    }),
    minInliers: Type.Integer({
      minimum: 4,
      maximum: 1000,
      default: 15,
      description:
        'Background points that must agree on one transform for a measurement to count (default 15). Fewer ' +
        '(a blank, dark or fogged picture, a bus across the view): "uncertain", and the rules pause. Higher ' +
        'pauses sooner in heavy traffic and at night.',
    }),
    minSpreadNorm: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.2,
      description:
        "The agreeing points must span at least this fraction of the picture's width and of its height " +
        '(default 0.2). Points in one band (a caption overlay, one building) cannot tell a zoom from a shift.',
    }),
    refreshS: Type.Number({
      minimum: 0,
      maximum: 86_400,
      default: 30,
      description:
        'While the view is steady, the corners are picked afresh on the current picture this often (seconds, ' +
        'default 30; 0 = never), measured against the reference through the current estimate. It follows ' +
        'shadows, daylight and parked cars leaving; each refresh adds a fraction of a pixel of error, so very ' +
        'short intervals let the estimate wander.',
    }),
  },
  {
    additionalProperties: false,
    description:
      "The view guard (edge/view/): small drift is followed, a large or unmeasurable move pauses the camera's " +
      'rules until the view returns (config/RULES.md, "View guard").',
  },
);
export type ViewGuardConfig = Static<typeof ViewGuardSchema>;

export function checkViewGuard(cfg: ViewGuardConfig, at: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (cfg.resumeMoveNorm > cfg.maxMoveNorm)
    issues.push({
      path: `${at}.resumeMoveNorm`,
      value: cfg.resumeMoveNorm,
      reason: `is above maxMoveNorm (${cfg.maxMoveNorm}): a paused view could never resume below the pause limit`,
    });
  if (cfg.minInliers > cfg.maxCorners)
    issues.push({
      path: `${at}.minInliers`,
      value: cfg.minInliers,
      reason: `is above maxCorners (${cfg.maxCorners}): no measurement could ever count`,
    });
  return issues;
}
