// Config block `outbox`: where the durable outbox lives, its disk quota and the publish window.
import { Type } from '@sinclair/typebox';

export const OutboxSchema = Type.Object(
  {
    path: Type.Optional(
      Type.String({ description: 'SQLite file of the outbox; default {dataDir}/outbox.sqlite' }),
    ),
    maxBytes: Type.Integer({
      minimum: 0,
      default: 2_000_000_000,
      description:
        'disk quota in bytes for queued events + evidence files (default 2 GB; 0 = no quota). Above it evidence ' +
        'is deleted oldest-first; events are never dropped. Raising it rides out longer uplink outages with clips intact.',
    }),
    windowSize: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 32,
      description:
        'QoS 1 messages in flight without a PUBACK (default 32). Higher hides link latency; lower bounds resends after a drop.',
    }),
    heartbeatS: Type.Number({
      minimum: 1,
      default: 30,
      description:
        'seconds between retained `online` status messages of the box (default 30). Lower spots a hung box sooner, costs bytes.',
    }),
  },
  { additionalProperties: false },
);
