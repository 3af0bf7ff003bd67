// Config of a camera's second-stage attribute classifier (e.g. helmet / no helmet on motorcycle riders).
import { type Static, Type } from '@sinclair/typebox';

export const ClassifierSchema = Type.Object(
  {
    model: Type.String({
      minLength: 1,
      description:
        'ONNX classifier file, relative to modelsDir or absolute; input [1,3,S,S] RGB, output [1,C] scores',
    }),
    labels: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 2,
      description: "output class names in the model's order, e.g. [helmet, no_helmet]",
    }),
    inputSize: Type.Integer({
      minimum: 8,
      maximum: 1024,
      default: 224,
      description: 'square model input side, pixels; must match the model',
    }),
    normalization: Type.Union([Type.Literal('unit'), Type.Literal('imagenet')], {
      default: 'imagenet',
      description:
        "pixel scaling the model was trained with: 'unit' = RGB/255, 'imagenet' = (RGB/255 - mean) / std",
    }),
    classes: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      default: ['motorcycle'],
      description: 'detector classes whose tracks are classified (the crop is the track box)',
    }),
    everyNFrames: Type.Integer({
      minimum: 1,
      default: 5,
      description:
        'classify each track every N processed frames. Lower gathers votes faster and costs one inference per crop.',
    }),
    minVotes: Type.Integer({
      minimum: 1,
      default: 3,
      description:
        'classified crops a track needs before its majority verdict counts. Higher is surer and later.',
    }),
    minScore: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.5,
      description: 'a crop classified below this score casts no vote (blurred or occluded crops)',
    }),
  },
  {
    additionalProperties: false,
    description:
      'second-stage classifier over crops of tracked objects (needed by no_helmet rules); the helmet model is brought by the user',
  },
);
export type ClassifierConfig = Static<typeof ClassifierSchema>;
