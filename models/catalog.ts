// The model catalog: what each known detector file is, so config can name a model and start-up can verify it.
import type { DetectorFamily } from '../edge/detect/detector-schema.ts';

export interface CatalogEntry {
  name: string;
  file: string;
  family: DetectorFamily;
  /** Square network input size in pixels. */
  inputSize: number;
  /**
   * The input for 16:9 cameras, derived from the file at start-up (models/derived-model.ts), when the graph is
   * size-agnostic and the detections on real frames match the square input's (test/integration/derived-model.test.ts).
   */
  cameraInputShape?: { width: number; height: number };
  labels: string;
  sha256: string;
  license: string;
  source: string;
  /** Shipping default? AGPL-derived files are for compatibility tests only. */
  shippable: boolean;
}

export const MODEL_CATALOG: readonly CatalogEntry[] = [
  {
    name: 'yolox_nano',
    file: 'yolox_nano.onnx',
    family: 'yolox',
    inputSize: 416,
    // The graph is size-agnostic (Focus slices, scale-based Resize, Reshape to [1,85,-1]); on 16:9 clips and
    // photos 416x256 gives the detections of 416x416 (recall 0.99, precision 0.98) at 0.61x the CPU.
    cameraInputShape: { width: 416, height: 256 },
    labels: 'coco80.txt',
    sha256: '695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14',
    license: 'Apache-2.0',
    source: 'Megvii YOLOX-Nano COCO weights, re-export by Kazuhito00/YOLOX-ONNX-TFLite-Sample',
    shippable: true,
  },
  {
    name: 'yolov8n_int8_dynamic',
    file: 'yolov8n_int8_dynamic.onnx',
    family: 'ultralytics',
    inputSize: 640,
    labels: 'coco80.txt',
    sha256: '0954f7cb88ffd28436fc5c259be598c11bdbc8d96a6977669af5de75736e9fdf',
    license: 'AGPL-3.0 (derived from Ultralytics yolov8n.pt)',
    source: 'monishram2508/multicam-detection, dynamic int8',
    shippable: false,
  },
  {
    name: 'deimv2_atto',
    file: 'deimv2_hgnetv2_atto_coco.onnx',
    family: 'detr',
    inputSize: 320,
    labels: 'coco80.txt',
    sha256: 'b114aa6610ac7c2bd9b3186ffb001afa872430db957407ef2473f7148d00646e',
    license: 'Apache-2.0',
    source: 'Intellindust-AI-Lab/DEIMv2 Atto COCO, export by Kazuhito00/DEIMv2-ONNX-Sample',
    shippable: true,
  },
  {
    name: 'deimv2_femto',
    file: 'deimv2_hgnetv2_femto_coco.onnx',
    family: 'detr',
    inputSize: 416,
    labels: 'coco80.txt',
    sha256: 'c6ad358f750132b891165e034c2ba507abefc5ebe1c1d2732a0acbcacc47e52c',
    license: 'Apache-2.0',
    source: 'Intellindust-AI-Lab/DEIMv2 Femto COCO, export by Kazuhito00/DEIMv2-ONNX-Sample',
    shippable: true,
  },
];

export const DEFAULT_MODEL = 'yolox_nano';

export function catalogEntry(name: string): CatalogEntry | undefined {
  return MODEL_CATALOG.find((m) => m.name === name);
}
