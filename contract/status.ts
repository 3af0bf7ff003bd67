// Status messages (retained): one per camera and one for the edge box itself (heartbeat and last will).
import { type Static, Type } from '@sinclair/typebox';
import { Slug } from './ids.ts';
import { MAX_TS_MS } from './timestamp.ts';
import { SUPPORTED_SCHEMA_VERSIONS } from './version.ts';

/** The view guard's verdict on a camera (edge/view/): optional, so messages without it stay valid. */
export const ViewStatusSchema = Type.Object(
  {
    state: Type.Union([Type.Literal('steady'), Type.Literal('moved'), Type.Literal('uncertain')], {
      description:
        'steady: the view is where the geometry was drawn, or close enough that zones and lines follow it; ' +
        "moved: it shifted, zoomed or rolled beyond the camera's limit; uncertain: it cannot be measured " +
        '(blank, dark, covered). Rules are paused while moved or uncertain.',
    }),
    paused: Type.Boolean({ description: "the camera's rules are paused" }),
    sinceTs: Type.Integer({
      minimum: 0,
      maximum: MAX_TS_MS,
      description: 'epoch ms the view entered this state',
    }),
    shiftNorm: Type.Optional(
      Type.Tuple([Type.Number({ minimum: -10, maximum: 10 }), Type.Number({ minimum: -10, maximum: 10 })], {
        description:
          "where the reference picture's centre appears now, minus the centre, as fractions of the width and height",
      }),
    ),
    scale: Type.Optional(
      Type.Number({ minimum: 0, maximum: 100, description: 'zoom against the reference' }),
    ),
    rotationDeg: Type.Optional(Type.Number({ minimum: -180, maximum: 180, description: 'roll, clockwise' })),
    reason: Type.Optional(Type.String({ maxLength: 256, description: 'why uncertain, in words' })),
  },
  { additionalProperties: false },
);
export type ViewStatus = Static<typeof ViewStatusSchema>;

export const StatusSchema = Type.Object(
  {
    schemaVersion: Type.Union(SUPPORTED_SCHEMA_VERSIONS.map((v) => Type.Literal(v))),
    site: Slug('site id'),
    camera: Type.String({ minLength: 1, maxLength: 63, description: 'camera id, or "_edge" for the box' }),
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    reason: Type.Optional(Type.String({ maxLength: 256, description: 'why offline, in words' })),
    ts: Type.Integer({
      minimum: 0,
      maximum: MAX_TS_MS,
      description:
        'epoch ms of the status; 0 only in the last will (time unknown: central stamps it on receipt)',
    }),
    fpsIn: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    fpsProcessed: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    framesDropped: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    lastEventTs: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_TS_MS })),
    view: Type.Optional(ViewStatusSchema),
  },
  { additionalProperties: false, $id: 'matthan/status' },
);
export type StatusMessage = Static<typeof StatusSchema>;
