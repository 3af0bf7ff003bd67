// Central's end-to-end acknowledgement to the edges of a site: which (event id, seq) central has durably taken.
import { type Static, Type } from '@sinclair/typebox';
import { ID_PATTERN, Slug } from './ids.ts';
import { TsMs } from './timestamp.ts';
import { SUPPORTED_SCHEMA_VERSIONS } from './version.ts';

/** Entries per ack message at most; central splits a larger batch (keeps a message under ~70 KB). */
export const MAX_ACKS_PER_MESSAGE = 1000;
/** Largest ack payload an edge parses (a full message of 64-character ids is ~72 KB). */
export const MAX_ACK_MESSAGE_BYTES = 262_144;

const EventId = Type.String({ pattern: ID_PATTERN });
const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const AckSchema = Type.Object(
  {
    // Central writes its own version; an edge of any supported version reads the same fields.
    schemaVersion: Type.Union(SUPPORTED_SCHEMA_VERSIONS.map((v) => Type.Literal(v))),
    site: Slug('site the acknowledged events came from (the topic says it too)'),
    ts: TsMs('when central committed them'),
    stored: Type.Array(Type.Tuple([EventId, Seq]), {
      maxItems: MAX_ACKS_PER_MESSAGE,
      description: '[event id, seq] pairs stored in central (now, or already before: a redelivery)',
    }),
    refused: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: EventId,
            seq: Seq,
            reason: Type.String({ maxLength: 256, description: 'why central quarantined it' }),
          },
          { additionalProperties: false },
        ),
        {
          maxItems: MAX_ACKS_PER_MESSAGE,
          description:
            'events central refused and keeps in its quarantine table (GET /api/quarantine): durably held there, ' +
            'so the edge stops re-sending them',
        },
      ),
    ),
  },
  { additionalProperties: false, $id: 'matthan/ack' },
);
export type AckMessage = Static<typeof AckSchema>;
