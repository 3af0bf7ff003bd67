// Builds the load-time error for a model file that does not fit the configured family, with a hint at the right one.
import { ModelError } from '../../models/resolve.ts';
import type { DetectorFamily } from './detector-schema.ts';
import { describe, type TensorInfo } from './onnx-session.ts';

const FAMILY_NAMES: Record<DetectorFamily, string> = {
  yolox: 'a YOLOX raw-head model',
  ultralytics: 'an Ultralytics YOLOv8/YOLO11 model',
  detr: 'a DETR-family model (RT-DETR, D-FINE, DEIMv2)',
};

/** What the tensors look like, for the message only: the family is always chosen by config, never guessed. */
export function familyHint(
  inputs: TensorInfo[],
  outputs: TensorInfo[],
  numClasses: number,
): string | undefined {
  if (inputs.some((i) => i.name === 'orig_target_sizes') || outputs.some((o) => o.name === 'boxes'))
    return 'detr';
  const out = outputs.length === 1 ? outputs[0]!.shape : undefined;
  if (out?.length === 3) {
    if (out[1] === 4 + numClasses || out[2] === 4 + numClasses) return 'ultralytics';
    if (out[2] === 5 + numClasses) return 'yolox';
  }
  return undefined;
}

export function familyMismatch(
  family: DetectorFamily,
  file: string,
  why: string,
  inputs: TensorInfo[],
  outputs: TensorInfo[],
  numClasses: number,
): ModelError {
  const hint = familyHint(inputs, outputs, numClasses);
  const advice =
    hint && hint !== family
      ? ` It looks like family ${hint}: set detector.family: ${hint}.`
      : ' Check detector.family and the label file.';
  return new ModelError(
    `${file} does not fit family ${family} (${FAMILY_NAMES[family]}): ${why}. ` +
      `Model inputs: ${describe(inputs)}; outputs: ${describe(outputs)}.${advice}`,
  );
}
