// Config schema of a camera's segment ring buffer (the last N seconds of encoded video, for clips with pre-roll).
import { type Static, Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.ts';

export const RingSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description:
        "Keep the last `seconds` of this camera's encoded video on disk in {dataDir}/ring/{camera}/ (a second " +
        'ffmpeg output, -c copy: no decode cost, disk writes at the camera bitrate). Evidence snapshots and ' +
        'clips with pre-roll are cut from it. Default true; false saves the disk writes and loses the evidence.',
    }),
    seconds: Type.Number({
      minimum: 2,
      maximum: 3600,
      default: 30,
      description:
        'Seconds of complete segments kept (s, default 30). More gives longer pre-roll; disk use is about ' +
        'bitrate x seconds (30 s of a 4 Mb/s camera is 15 MB).',
    }),
    segmentS: Type.Number({
      minimum: 1,
      maximum: 10,
      default: 2,
      description:
        'Target segment length (s, default 2); a segment closes at the first keyframe after it. Shorter makes ' +
        'clips start closer to the wanted moment and makes the newest footage available sooner; more files.',
    }),
    heldMaxS: Type.Number({
      minimum: 0,
      maximum: 3600,
      default: 300,
      description:
        'Extra seconds of segments kept beyond `seconds` while a pending evidence capture still needs them (s, ' +
        'default 300), so a capture backlog never loses footage before it is cut. This bounds the disk: ' +
        'about bitrate x (seconds + heldMaxS); past it the oldest held footage goes and its capture is counted ' +
        'lost (reason segment_expired). 0 turns holding off.',
    }),
  },
  { additionalProperties: false, description: 'segment ring buffer for evidence clips' },
);
export type RingConfig = Static<typeof RingSchema>;

/** The ring must hold at least two segments, or retention would leave it empty half of the time. */
export function checkRing(ring: RingConfig, at: string): ConfigIssue[] {
  if (ring.enabled && ring.seconds < 2 * ring.segmentS)
    return [
      {
        path: `${at}.seconds`,
        value: ring.seconds,
        reason: `must be at least twice segmentS (${ring.segmentS}) so the ring holds two segments`,
      },
    ];
  return [];
}
