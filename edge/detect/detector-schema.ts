// Config schema of the detector shared by all cameras of an edge box.
import { type Static, Type } from '@sinclair/typebox';

export const DETECTOR_FAMILIES = ['yolox', 'ultralytics', 'detr'] as const;
export type DetectorFamily = (typeof DETECTOR_FAMILIES)[number];

export const DetectorSchema = Type.Object(
  {
    model: Type.String({
      minLength: 1,
      default: 'yolox_nano',
      description:
        'A model catalog name (models/catalog.ts), or a path to an .onnx file (then `family` is required).',
    }),
    family: Type.Optional(
      Type.Union(
        DETECTOR_FAMILIES.map((f) => Type.Literal(f)),
        {
          description:
            'Output format of a custom model: yolox (raw head), ultralytics (YOLOv8/11), detr (RT-DETR, D-FINE, DEIMv2).',
        },
      ),
    ),
    labels: Type.Optional(
      Type.String({
        description: 'Label file of a custom model, one class name a line. Default: coco80.txt.',
      }),
    ),
    confidence: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.3,
      description: 'Minimum detection score. Lower finds more small objects and more false positives.',
    }),
    nmsIou: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.45,
      description: 'IoU above which same-class boxes are suppressed.',
    }),
    intraOpThreads: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 2,
      description:
        'onnxruntime intra-op threads. More threads cut latency until they fight ffmpeg for cores.',
    }),
    interOpThreads: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 1,
      description: 'onnxruntime inter-op threads.',
    }),
  },
  { additionalProperties: false },
);
export type DetectorConfig = Static<typeof DetectorSchema>;
