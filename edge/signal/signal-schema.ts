// Config of a camera's signal state source (fixed, the controller's MQTT topic, or a colour test on the lamp).
import { type Static, Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.ts';
import { DiscriminatedUnion } from '../../config/schema-helpers.ts';

const Norm = Type.Number({ minimum: 0, maximum: 1 });
const RegionNorm = (description: string) =>
  Type.Tuple([Norm, Norm, Norm, Norm], {
    description: `${description}: [x1, y1, x2, y2] normalised 0..1 of the camera picture (x right, y down)`,
  });

export const FixedSignalSchema = Type.Object(
  {
    source: Type.Literal('fixed'),
    state: Type.Union([Type.Literal('red'), Type.Literal('amber'), Type.Literal('green')], {
      description:
        'the state reported on every frame. For tests and for a junction without a controller feed where a rule ' +
        'must run as if the light were always red (e.g. a permanently closed turn).',
    }),
  },
  { additionalProperties: false },
);

export const MqttSignalSchema = Type.Object(
  {
    source: Type.Literal('mqtt'),
    topic: Type.String({
      minLength: 1,
      maxLength: 256,
      pattern: '^[^+#]+$',
      description:
        'exact MQTT topic the signal controller publishes its state on (no wildcards), on the edge broker. ' +
        'Payload: a JSON object (`{"state":"red"}`), a JSON string (`"red"`) or plain text (`red`); ' +
        'red, amber (or yellow), green, case-insensitive. Anything else makes the state unknown.',
    }),
    payloadField: Type.String({
      minLength: 1,
      maxLength: 64,
      default: 'state',
      description: 'field of a JSON object payload holding the state (dots for nesting, e.g. "phase.colour")',
    }),
    staleAfterS: Type.Number({
      exclusiveMinimum: 0,
      maximum: 3600,
      default: 5,
      description:
        'seconds after the last message the state becomes unknown (the controller or link died). Default 5. ' +
        'Must exceed the controller\'s republish interval; higher rides out gaps but keeps a dead feed "red" longer.',
    }),
    tsField: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        default: 'ts',
        description:
          'field of a JSON object payload holding when the controller set the state (dots for nesting): epoch ms, ' +
          'epoch seconds (below 1e11) or an ISO 8601 string. A payload whose time is more than maxClockSkewS ahead ' +
          "of the edge's clock, or older than staleAfterS, makes the state unknown (a replayed or misdated red " +
          'must not count). Payloads without the field are taken as they arrive',
      }),
    ),
    maxClockSkewS: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 3600,
        default: 2,
        description:
          "seconds (default 2) the controller's clock may be ahead of the edge's, or its message late beyond " +
          'staleAfterS. Raise it for a controller without NTP; a larger value lets an older state count',
      }),
    ),
  },
  { additionalProperties: false },
);

export const LampSignalSchema = Type.Object(
  {
    source: Type.Literal('lamp'),
    redRegionNorm: RegionNorm('box around the red lamp'),
    greenRegionNorm: Type.Optional(
      RegionNorm(
        'box around the green lamp (the same box as the red one for a single-head lamp). Without it the ' +
          'state is red or unknown, never green',
      ),
    ),
    amberRegionNorm: Type.Optional(RegionNorm('box around the amber lamp')),
    minBrightness: Type.Number({
      minimum: 0,
      maximum: 255,
      default: 120,
      description:
        'mean value (max of R,G,B, 0..255) of the lamp-coloured pixels for the lamp to count as lit. Default 120. ' +
        'Higher rejects a dark or reflecting lens; too high misses a lamp at dusk or behind a dirty cover.',
    }),
    minSaturation: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.35,
      description:
        'mean saturation ((max-min)/max) of the lamp-coloured pixels. Default 0.35. Higher rejects washed-out ' +
        'reflections of the sky; too high misses a lamp whose centre clips to white.',
    }),
    minFraction: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 0.08,
      description:
        "fraction of the region's pixels that must be lit in the lamp colour. Default 0.08. Draw the region " +
        'tight around the lamp; higher demands a bigger share, lower lets a red car passing behind count.',
    }),
    hysteresisFrames: Type.Integer({
      minimum: 1,
      maximum: 50,
      default: 3,
      description:
        'consecutive frames a new colour must be seen before the state changes. Default 3. LED lamps flicker ' +
        '(PWM) and a frame can catch them dark; higher is steadier but reports a change later (3 frames is 0.6 s at 5 fps).',
    }),
    staleAfterS: Type.Number({
      exclusiveMinimum: 0,
      maximum: 3600,
      default: 3,
      description:
        'seconds without a frame after which the state is unknown (the camera stalled). Default 3.',
    }),
  },
  { additionalProperties: false },
);

export const SignalSchema = DiscriminatedUnion(
  'source',
  [FixedSignalSchema, MqttSignalSchema, LampSignalSchema],
  {
    description:
      'where the camera learns its traffic signal state (red_light needs it; illegal_stop pauses while red). ' +
      'Without it the state is unknown and red_light never fires.',
  },
);
export type SignalConfig = Static<typeof SignalSchema>;
export type MqttSignalConfig = Static<typeof MqttSignalSchema>;
export type LampSignalConfig = Static<typeof LampSignalSchema>;

/** Cross-field checks the schema cannot express: regions with x1 < x2 and y1 < y2. */
export function checkSignal(signal: SignalConfig | undefined, at: string): ConfigIssue[] {
  if (signal?.source !== 'lamp') return [];
  const issues: ConfigIssue[] = [];
  for (const field of ['redRegionNorm', 'greenRegionNorm', 'amberRegionNorm'] as const) {
    const r = signal[field];
    if (r && !(r[0] < r[2] && r[1] < r[3]))
      issues.push({
        path: `${at}.${field}`,
        value: r,
        reason: 'needs x1 < x2 and y1 < y2 ([x1, y1, x2, y2])',
      });
  }
  return issues;
}
