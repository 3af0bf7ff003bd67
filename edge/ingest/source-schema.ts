// Config schema of one camera's video source (RTSP, file, or anything ffmpeg opens).
import { type Static, Type } from '@sinclair/typebox';

export const SourceSchema = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      description:
        'rtsp://user:pass@host/path, http(s)://, a file path (relative to the config file), or media:NAME for a clip ' +
        'in the media directory. Credentials are masked in every log line.',
    }),
    transport: Type.Union([Type.Literal('tcp'), Type.Literal('udp')], {
      default: 'tcp',
      description:
        'RTSP transport. tcp (default) survives lossy links; udp has less latency but smears on loss.',
    }),
    realtime: Type.Boolean({
      default: true,
      description:
        'Files only: read at the clip frame rate (ffmpeg -re) as a live camera would. false reads as fast as possible.',
    }),
    loop: Type.Boolean({
      default: false,
      description: 'Files only: restart the clip at its end (demo, soak tests).',
    }),
    skipLoopFilter: Type.Boolean({
      default: false,
      description:
        'Skip the H.264/H.265 deblocking filter when decoding for the detector (the clip ring is a stream copy and keeps ' +
        'full quality). Saves about a quarter of the decode CPU on 1080p (1.24 -> 0.93 s per 10 s of the HCMC clip); ' +
        'the picture the detector sees gets faint block edges that drift until the next keyframe. Measured detections ' +
        'over whole clips: -0.3% on 1080p, -1% on 1568x778, -5% on 360p (small downscale shows the artifacts), so ' +
        'worth it for high-resolution cameras on a full box.',
    }),
    stallTimeoutS: Type.Number({
      minimum: 1,
      maximum: 600,
      default: 10,
      description:
        'Seconds without a frame before ffmpeg is restarted (default 10; never less than three frame intervals at ' +
        'the camera fps). Lower reacts faster to a hung camera; too low restarts on slow keyframes or reconnects.',
    }),
  },
  { additionalProperties: false },
);
export type SourceConfig = Static<typeof SourceSchema>;
