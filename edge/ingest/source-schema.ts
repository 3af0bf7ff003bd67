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
    analysisUrl: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'A lower-resolution stream of the same camera (its RTSP substream, e.g. 640x360) that the detector decodes ' +
          'instead of `url`; `url` is then opened only for the ring buffer (stream copy), so snapshots and clips keep ' +
          'full resolution. Same forms as `url`, credentials masked. Decoding 1080p costs ~3.5x the CPU of 360p ' +
          '(npm run bench, capacityRatio: the largest single gain for 1080p cameras), and the detector sees no less: ' +
          'a 416-wide input is smaller than the substream. Both streams are timed from their own start: for files ' +
          'and for RTSP streams that start together the offset is small; a camera whose substream lags its main stream ' +
          'by more than a frame interval shifts snapshots by that lag. Default: none (decode `url`).',
      }),
    ),
    skipFrames: Type.Union([Type.Literal('none'), Type.Literal('bidir'), Type.Literal('nokey')], {
      default: 'none',
      description:
        'Frames the decoder skips for the detector (ffmpeg -skip_frame; the ring still copies every packet, so ' +
        'evidence is whole). none (default) decodes all. bidir skips B-frames, which no other frame references in ' +
        'camera streams: worth it when B-frames are many and the I/P frames alone still exceed the camera fps ' +
        '(the US 360p clip: 185 of 693 frames decoded, 8 fps for 5 fps analysis). nokey decodes keyframes only: for ' +
        'slow analysis (fps at or below the keyframe rate, e.g. 1 fps for parking and sidewalk rules with a GOP of ' +
        '1 s or less); the analysed rate can never exceed the keyframe rate.',
    }),
    decodeNice: Type.Integer({
      minimum: 0,
      maximum: 19,
      default: 0,
      description:
        "nice(1) value of this camera's ffmpeg (0..19, default 0: the priority of the edge process). Raising it (e.g. " +
        '10) lets the shared detector, the one serial stage of the box, take the CPU first, so frames queue less near ' +
        'capacity (measured on a shared box, same run: 2 vs 1 cameras of 1080p sustained, a small-number result). ' +
        'The cost: past capacity this ffmpeg, which also writes the ring, falls behind the camera first, and any other ' +
        'process on the box at nice 0 wins over it. Leave it at 0 unless the box is dedicated and sized with margin.',
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
