// Config schema of the detector shared by all cameras of an edge box (model, family, thresholds, onnxruntime session).
import { type Static, Type } from '@sinclair/typebox';

export const DETECTOR_FAMILIES = ['yolox', 'ultralytics', 'detr'] as const;
export type DetectorFamily = (typeof DETECTOR_FAMILIES)[number];

export const GRAPH_OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export type GraphOptimizationLevel = (typeof GRAPH_OPTIMIZATION_LEVELS)[number];

/** detector.inputShape: why a camera-shaped input, what it costs, and when to leave it. */
const INPUT_SHAPE_DESCRIPTION =
  "Network input {width, height} in pixels (multiples of 32) when it should differ from the model file's fixed " +
  'size: matthan derives a copy of the model with only its declared input dimensions changed into ' +
  '{dataDir}/cache/models at start-up (never downloaded; its sha256 is logged) and refuses it with the reason ' +
  'if the graph is not size-agnostic (checked by running it). A 16:9 camera letterboxed into 416x416 spends 44% ' +
  'of the input on padding; 416x256 holds the same 416x234 picture in 62% of the pixels and costs about as much ' +
  "less inference (npm run bench, capacityRatio). Default: the catalog model's camera shape (yolox_nano: " +
  "416x256); set the model's own size (e.g. {width: 416, height: 416}) for a box of 4:3 or portrait cameras, " +
  'which a 416x256 input shrinks. Replaces detector.inputSize (which must then be absent). YOLO families only: ' +
  'a DETR model is stretched to its square input.';

/**
 * One flat object rather than a union on `family`: a catalog name implies the family, so `model: yolox_nano`
 * alone must stay valid, and family-specific fields (dedupeIou) are simply ignored by the other families.
 */
export const DetectorSchema = Type.Object(
  {
    model: Type.String({
      minLength: 1,
      default: 'yolox_nano',
      description:
        'A model catalog name (models/catalog.ts: yolox_nano, yolov8n_int8_dynamic, deimv2_atto, deimv2_femto), ' +
        'or a path to an .onnx file (then `family` is required). Default yolox_nano (Apache-2.0).',
    }),
    family: Type.Optional(
      Type.Union(
        DETECTOR_FAMILIES.map((f) => Type.Literal(f)),
        {
          description:
            'Output format of the model: yolox (raw head [1,anchors,5+C], BGR 0..255, top-left letterbox), ' +
            'ultralytics (YOLOv8/YOLO11 [1,4+C,N] or [1,N,4+C], RGB /255, centred letterbox), detr ' +
            '(RT-DETR, D-FINE, DEIMv2: images + orig_target_sizes -> labels/boxes/scores, stretched). ' +
            'Required for a custom .onnx path; for a catalog name it is implied and, if given, must match. ' +
            'A file that does not fit the family fails at load with a message saying so.',
        },
      ),
    ),
    labels: Type.Optional(
      Type.String({
        description:
          'Label file of a custom model, one class name a line, in the order of the model class indices ' +
          '(relative to the config file). Default: coco80.txt in the models directory.',
      }),
    ),
    inputSize: Type.Optional(
      Type.Integer({
        minimum: 32,
        maximum: 4096,
        description:
          'Square network input in pixels. Read from the model; when given it must match the model, and it is ' +
          'required for models exported with a dynamic input size. Larger finds smaller objects and costs ' +
          'inference time quadratically.',
      }),
    ),
    inputShape: Type.Optional(
      Type.Object(
        {
          width: Type.Integer({
            minimum: 32,
            maximum: 4096,
            multipleOf: 32,
            description:
              'input width in pixels, a multiple of 32 (the YOLO strides); wider finds smaller objects',
          }),
          height: Type.Integer({
            minimum: 32,
            maximum: 4096,
            multipleOf: 32,
            description:
              'input height in pixels, a multiple of 32; for 16:9 cameras width x 9/16 rounded up to 32',
          }),
        },
        {
          additionalProperties: false,
          description: INPUT_SHAPE_DESCRIPTION,
        },
      ),
    ),
    confidence: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.3,
      description:
        'Minimum detection score, 0..1 (default 0.3). Lower finds more small and occluded objects and more ' +
        'false positives. DETR-family scores run lower than YOLO ones; 0.4 is their usual cut.',
    }),
    classConfidence: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Number({ minimum: 0, maximum: 1 }), {
        description:
          'Per-class minimum score by label, e.g. {person: 0.5, motorcycle: 0.25}; other classes use ' +
          '`confidence`. Raise it for classes that give false alarms, lower it for small classes you must not miss.',
      }),
    ),
    classes: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        uniqueItems: true,
        description:
          'Allow-list of labels kept for every camera (default: all). Each box gets its best class first ' +
          '(as the model intends); boxes whose best class is not listed are dropped before NMS, which also ' +
          'saves NMS time.',
      }),
    ),
    nmsIou: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.45,
      description:
        'YOLO families: IoU (0..1, default 0.45) above which a lower-scored box of the same class is suppressed. ' +
        'Higher keeps more boxes in dense traffic and more duplicates.',
    }),
    dedupeIou: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.8,
      description:
        'DETR family: IoU (0..1, default 0.8) above which a same-class box is dropped as a duplicate query. ' +
        'DETR needs no NMS; this only catches the near-identical boxes the smallest models emit. 1 disables it; ' +
        'lower values start merging real neighbours (people in a crowd).',
    }),
    intraOpThreads: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 2,
      description:
        'onnxruntime intra-op threads (default 2). More threads cut latency until they fight ffmpeg for cores.',
    }),
    interOpThreads: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 1,
      description:
        'onnxruntime inter-op threads (default 1). Only helps graphs with parallel branches; detectors are sequential.',
    }),
    threadSpinning: Type.Boolean({
      default: false,
      description:
        'Let idle onnxruntime threads spin-wait between parallel sections (default false). Spinning saves ~3 ms per ' +
        'yolox_nano inference on an idle box but doubles its CPU (44 vs 23 ms of CPU per inference measured here), ' +
        'CPU the ffmpeg decoders of the other cameras need. Turn it on only for a single-camera box.',
    }),
    graphOptimizationLevel: Type.Union(
      GRAPH_OPTIMIZATION_LEVELS.map((l) => Type.Literal(l)),
      {
        default: 'all',
        description:
          'onnxruntime graph optimisation: disabled, basic, extended or all (default). Lower levels load ' +
          'faster and run slower; use them only to work around an optimiser bug.',
      },
    ),
    executionProvider: Type.String({
      minLength: 1,
      default: 'cpu',
      description:
        'onnxruntime execution provider (default cpu). onnxruntime-node 1.30 on Linux x64 lists cpu and ' +
        'webgpu (bundled), cuda and tensorrt (need the NVIDIA libraries); an unlisted name fails at load ' +
        'with the list. CPU runs any operator the provider cannot.',
    }),
    warmupRuns: Type.Integer({
      minimum: 1,
      maximum: 20,
      default: 2,
      description:
        'Inferences on a blank frame at load (default 2, at least 1: the first also checks the real output ' +
        'shapes against the family). They move kernel selection and memory-arena growth out of the first ' +
        'camera frames; more only delays start-up.',
    }),
  },
  { additionalProperties: false },
);
export type DetectorConfig = Static<typeof DetectorSchema>;

/** The config with every default filled in, for code that builds a detector without a config file (tests, bench). */
export function detectorConfig(partial: Partial<DetectorConfig> = {}): DetectorConfig {
  const defaults = Object.fromEntries(
    Object.entries(DetectorSchema.properties)
      .filter(([, s]) => (s as { default?: unknown }).default !== undefined)
      .map(([k, s]) => [k, (s as { default: unknown }).default]),
  );
  return { ...defaults, ...partial } as DetectorConfig;
}
