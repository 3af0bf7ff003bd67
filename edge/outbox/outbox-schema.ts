// Config block `outbox`: where the durable outbox lives, its disk quota, the publish window and end-to-end acks.
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
      maximum: 10_000,
      default: 100,
      description:
        'events handed to the broker and not yet acknowledged by central (default 100; in broker mode: without a ' +
        'PUBACK). Higher hides link latency; lower bounds what a broker can drop and what is re-sent. While central ' +
        "is away the broker queues up to this many per box: keep the sum over all boxes below the broker's " +
        'max_queued_messages (stock mosquitto: 1000) and nothing needs re-sending',
    }),
    deleteOn: Type.Union([Type.Literal('central'), Type.Literal('broker')], {
      default: 'central',
      description:
        'when an event leaves the outbox: `central` (default) once central says it stored it (its ack on ' +
        "matthan/v1/_central/{site}/acks), so what a broker drops is re-sent; `broker` on the broker's PUBACK, " +
        'for a subscriber other than matthan central (then a broker that drops queued messages loses events)',
    }),
    ackTimeoutS: Type.Number({
      minimum: 0.1,
      maximum: 3600,
      default: 30,
      description:
        "seconds (default 30) without central's acknowledgement before an event is sent again; each further " +
        're-send waits twice as long, up to ackTimeoutMaxS. Lower recovers broker drops sooner at the cost of ' +
        'duplicates while central is merely slow (central drops them by (id, seq))',
    }),
    ackTimeoutMaxS: Type.Number({
      minimum: 1,
      maximum: 86_400,
      default: 600,
      description:
        'seconds (default 600): the longest wait between re-sends of one unacknowledged event. An event central ' +
        'skipped (a later one was acknowledged) is re-sent after 2 s whatever the backoff',
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
