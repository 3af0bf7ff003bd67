// Config of licence-plate reading: per camera which vehicles are read, box-wide the CPU budget (queue) and the vote.
import { type Static, Type } from '@sinclair/typebox';

export const PLATE_MODES = ['off', 'violations', 'all'] as const;
export type PlateMode = (typeof PLATE_MODES)[number];

export const CameraPlatesSchema = Type.Object(
  {
    mode: Type.Union(
      PLATE_MODES.map((m) => Type.Literal(m)),
      {
        default: 'violations',
        description:
          "Which vehicles get their plate read: 'violations' (default) the vehicle of every violation event; 'all' " +
          "every confirmed vehicle track (each costs a plate job: ~0.2 s of CPU per frame read); 'off' none. Needs " +
          'the camera ring (plates are read on full-resolution frames from it, never on the detector frame).',
      },
    ),
    classes: Type.Array(Type.String({ minLength: 1 }), {
      default: ['car', 'motorcycle', 'bus', 'truck'],
      description: 'detector labels that carry a plate (default car, motorcycle, bus, truck)',
    }),
  },
  { additionalProperties: false, description: 'licence-plate reading for this camera' },
);
export type CameraPlatesConfig = Static<typeof CameraPlatesSchema>;

export const PlatesSchema = Type.Object(
  {
    queueLimit: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 16,
      description:
        'plate jobs (one vehicle each) waiting for the OCR at most (default 16); a job beyond it is dropped and ' +
        'counted (matthan_edge_plate_jobs_dropped_total). Higher survives bursts; the wait grows with it.',
    }),
    readsPerTrack: Type.Integer({
      minimum: 1,
      maximum: 30,
      default: 8,
      description:
        'frames read per vehicle for the vote (default 8): keyframes of the track and the two frames after each ' +
        '(the sharp ones at a city camera bitrate), then its largest views. More reads make the vote surer and ' +
        'cost ~0.2 s of CPU each.',
    }),
    beforeS: Type.Number({
      minimum: 0,
      maximum: 10,
      default: 5,
      description:
        'seconds of the track before the event start whose frames may be read (default 5): a vehicle crossing ' +
        'a stop line away from the camera shows its plate largest seconds before it crosses (at 2 s the ' +
        "intersection clip's white SUV was already too small to read). Needs ring.seconds above it; more costs " +
        'no CPU (readsPerTrack bounds the reads), only keeps boxes longer.',
    }),
    afterS: Type.Number({
      minimum: 0,
      maximum: 10,
      default: 1.5,
      description:
        'seconds of the track after the event start that are also sampled (default 1.5); the read starts after them.',
    }),
    holdEndS: Type.Number({
      minimum: 0,
      maximum: 300,
      default: 30,
      description:
        "seconds an event's end message may wait for its plate (default 30); after it the end goes out without one.",
    }),
    minAgreeingReads: Type.Integer({
      minimum: 1,
      maximum: 30,
      default: 2,
      description: 'exact agreeing reads the vote needs (default 2): one frame alone is never a plate',
    }),
    readableConfidence: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.5,
      description:
        'vote confidence (agreeing / parsed reads x recognition confidence) under which the plate is reported ' +
        'unreadable (default 0.5). Higher reports fewer plates and fewer wrong ones.',
    }),
    detLongSidePx: Type.Integer({
      minimum: 160,
      maximum: 1280,
      default: 640,
      description:
        'long side (px) the searched part of the vehicle is scaled to for text detection (default 640). Larger finds ' +
        'smaller plates and costs CPU quadratically.',
    }),
    intraOpThreads: Type.Integer({
      minimum: 1,
      maximum: 16,
      default: 1,
      description: 'threads of the OCR sessions (default 1: the detector keeps the other core)',
    }),
    jpegQuality: Type.Integer({
      minimum: 30,
      maximum: 100,
      default: 90,
      description: 'JPEG quality of the plate-crop evidence (default 90)',
    }),
  },
  { additionalProperties: false, description: 'licence-plate reading: budget and vote (edge/plate)' },
);
export type PlatesConfig = Static<typeof PlatesSchema>;
