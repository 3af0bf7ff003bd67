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
