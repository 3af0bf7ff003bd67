// Schema building blocks shared by the edge and central config trees.
import { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox';

/** A union of objects told apart by one literal property; Ajv reports errors for the matching branch only. */
export function DiscriminatedUnion<T extends TObject[]>(key: string, branches: [...T], options: object = {}) {
  return Type.Unsafe<Static<T[number]>>({
    type: 'object',
    required: [key],
    discriminator: { propertyName: key },
    oneOf: branches,
    ...options,
  });
}

export const NormNumber = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });
export const PointNorm = Type.Tuple(
  [Type.Number({ minimum: 0, maximum: 1 }), Type.Number({ minimum: 0, maximum: 1 })],
  { description: '[x, y], normalised 0..1 of the frame width and height' },
);

export function withDefault<T extends TSchema>(schema: T, value: Static<T>): T {
  return { ...schema, default: value };
}
