// Status messages (retained): one per camera and one for the edge box itself (heartbeat and last will).
import { type Static, Type } from '@sinclair/typebox';
import { Slug } from './ids.ts';
import { SCHEMA_VERSION } from './version.ts';

export const StatusSchema = Type.Object(
  {
    schemaVersion: Type.Literal(SCHEMA_VERSION),
    site: Slug('site id'),
    camera: Type.String({ minLength: 1, maxLength: 63, description: 'camera id, or "_edge" for the box' }),
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    reason: Type.Optional(Type.String({ maxLength: 256, description: 'why offline, in words' })),
    ts: Type.Integer({ minimum: 0 }),
    fpsIn: Type.Optional(Type.Number({ minimum: 0 })),
    fpsProcessed: Type.Optional(Type.Number({ minimum: 0 })),
    framesDropped: Type.Optional(Type.Integer({ minimum: 0 })),
    lastEventTs: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false, $id: 'matthan/status' },
);
export type StatusMessage = Static<typeof StatusSchema>;
