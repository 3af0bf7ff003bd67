// JSON schemas of the plate resources: an incident's plate (machine read + correction) and the correction request.
import { Type } from '@sinclair/typebox';
import { PLATE_COLOURS, PLATE_KINDS } from '../../../contract/index.ts';

const Colour = Type.Union(PLATE_COLOURS.map((c) => Type.Literal(c)));
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const IncidentPlateSchema = Type.Object(
  {
    text: Type.Union([Type.String(), Type.Null()], {
      description:
        "the plate as it stands: the reviewer's correction, else the machine read; null: unreadable",
    }),
    colour: Colour,
    crop: Type.Union([Type.String(), Type.Null()], { description: 'evidence id of the plate crop JPEG' }),
    machine: Type.Object({
      text: NullableString,
      confidence: Type.Number({ description: 'vote agreement x recognition confidence' }),
      colour: Colour,
      kind: Type.Union([...PLATE_KINDS.map((k) => Type.Literal(k)), Type.Null()]),
      reads: Type.Integer(),
      eventId: Type.String(),
      ts: Type.Integer(),
    }),
    correction: Type.Union([
      Type.Object({
        text: Type.String(),
        colour: Colour,
        by: Type.String(),
        at: Type.Integer(),
        note: NullableString,
      }),
      Type.Null(),
    ]),
  },
  { description: 'licence plate of the vehicle (issue 15)' },
);

export const PlateCorrectionSchema = Type.Object({
  text: Type.String(),
  colour: Colour,
  previousText: NullableString,
  by: Type.String(),
  note: NullableString,
  at: Type.Integer(),
});

export const PlateCorrectionBody = Type.Object(
  {
    text: Type.String({
      minLength: 1,
      maxLength: 32,
      description: "the plate as read by the reviewer ('30E-586.70', '30e 58670', '59-X1 / 123.45')",
    }),
    colour: Type.Optional(Colour),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    freeForm: Type.Optional(
      Type.Boolean({
        description: 'keep a text the Vietnamese plate grammar does not know (foreign plates)',
      }),
    ),
  },
  { additionalProperties: false },
);
