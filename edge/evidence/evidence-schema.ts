// Config block `evidence`: snapshots and clips captured for each event from the camera's segment ring buffer.
import { Type } from '@sinclair/typebox';

export const EvidenceSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'capture evidence for events (needs the camera ring buffer; default true)',
    }),
    preRollS: Type.Number({
      minimum: 0,
      maximum: 60,
      default: 5,
      description:
        'seconds of video before the event start in the clip (default 5); needs ring.seconds above pre+post',
    }),
    postRollS: Type.Number({
      minimum: 0,
      maximum: 60,
      default: 5,
      description: 'seconds after the event start (default 5); the clip is cut once they are recorded',
    }),
    snapshot: Type.Boolean({
      default: true,
      description: 'full-resolution JPEGs (clean + annotated) at event start',
    }),
    clip: Type.Boolean({ default: true, description: 'MP4 clip (H.264, faststart) around the event start' }),
    jpegQuality: Type.Integer({
      minimum: 30,
      maximum: 100,
      default: 85,
      description: 'JPEG quality (default 85); higher keeps plate detail, costs upload bytes',
    }),
    clipMode: Type.Union([Type.Literal('copy'), Type.Literal('transcode')], {
      default: 'copy',
      description:
        "'copy' (default) remuxes the camera's H.264 without re-encoding (cheap; starts on the keyframe at or before " +
        "the pre-roll); 'transcode' re-encodes to H.264 (exact cut, any camera codec, costs CPU). Other codecs are " +
        'transcoded (x264 ultrafast, one thread per job), H.265 unless copyHevc.',
    }),
    copyHevc: Type.Boolean({
      default: false,
      description:
        'H.265 cameras: stream-copy the clip into MP4 tagged hvc1 instead of transcoding it to H.264 (default ' +
        'false). No CPU, but the clip plays only where the browser decodes HEVC (Safari; Chrome or Edge with ' +
        'hardware HEVC decoding; not Chromium without it). Turn on when every review browser can, or when ' +
        'transcoding cannot keep up with the camera.',
    }),
    workers: Type.Integer({
      minimum: 1,
      maximum: 16,
      default: 2,
      description:
        'Capture jobs (ffmpeg processes: a snapshot decode or a clip cut) run at once, for all cameras (default 2, ' +
        'one per core of a 2-core box). More drains a burst sooner and takes CPU from detection while it lasts.',
    }),
    captureTimeoutS: Type.Number({
      minimum: 1,
      default: 30,
      description:
        'give up waiting for ring segments this long after the clip end (default 30); the event keeps its other evidence',
    }),
  },
  { additionalProperties: false },
);
