// A decoded frame at the detector's input size, plus how it maps back to the source picture.
export type PixelFormat = 'rgb24' | 'bgr24';
/** How the source picture is fitted into the model input: letterbox at the top-left, centred, or stretched. */
export type FitMode = 'letterbox-topleft' | 'letterbox-center' | 'stretch';

/** What the detector wants from ingest; ffmpeg's filter graph produces exactly this. */
export interface FrameSpec {
  width: number;
  height: number;
  pixelFormat: PixelFormat;
  fit: FitMode;
  /** Pad colour 0..255 (grey 114 for YOLO letterboxes). */
  padValue: number;
}

/** Where the scaled picture sits inside the model input, in input pixels. */
export interface ContentRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Frame {
  cameraId: string;
  /** Frame number since the source started (counts dropped frames too). */
  seq: number;
  /** Wall-clock ms of the frame. */
  tsMs: number;
  spec: FrameSpec;
  content: ContentRect;
  sourceWidth: number;
  sourceHeight: number;
  /** width*height*3 bytes, packed HWC in spec.pixelFormat. */
  data: Buffer;
  /**
   * The detection crops of this frame (camera regions, edge/detect/detect-regions.ts), each scaled by ffmpeg to
   * the same spec; absent when the detector runs on the whole frame (`data`).
   */
  crops?: FrameCrop[];
}

/** One crop of a frame, as ffmpeg scaled it to the model input. */
export interface FrameCrop {
  /** [x1, y1, x2, y2] of the crop, normalised 0..1 of the source frame. */
  rectNorm: [number, number, number, number];
  /** Where the scaled crop sits inside the model input. */
  content: ContentRect;
  /** The crop's size in source pixels. */
  sourceWidth: number;
  sourceHeight: number;
  /** width*height*3 bytes, packed HWC in spec.pixelFormat. */
  data: Buffer;
}

/** Computes the content rectangle for a source size, with even dimensions as ffmpeg's scaler prefers. */
export function contentRect(spec: FrameSpec, sourceWidth: number, sourceHeight: number): ContentRect {
  if (spec.fit === 'stretch') return { x: 0, y: 0, width: spec.width, height: spec.height };
  const r = Math.min(spec.width / sourceWidth, spec.height / sourceHeight);
  const width = Math.min(spec.width, Math.max(2, Math.round((sourceWidth * r) / 2) * 2));
  const height = Math.min(spec.height, Math.max(2, Math.round((sourceHeight * r) / 2) * 2));
  if (spec.fit === 'letterbox-topleft') return { x: 0, y: 0, width, height };
  return {
    x: Math.floor((spec.width - width) / 2),
    y: Math.floor((spec.height - height) / 2),
    width,
    height,
  };
}

/** Bytes of one frame: packed 3-byte pixels. */
export function frameBytes(spec: FrameSpec): number {
  return spec.width * spec.height * 3;
}
