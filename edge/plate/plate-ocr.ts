// PP-OCRv4 text-line detection and recognition on onnxruntime-node, for plate crops (loads both sessions once).
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { resolveOcrModels } from '../../models/resolve-ocr.ts';
import { loadSession } from '../detect/onnx-session.ts';
import { CtcAlphabet, type CtcResult } from './ctc-decode.ts';
import type { RawImage } from './raw-image.ts';
import { resizeToChw } from './resize-chw.ts';
import { DEFAULT_TEXT_LINE_OPTIONS, type TextLineBox, textLineBoxes } from './text-line-boxes.ts';

/** Every character of a Vietnamese plate the character list holds (Đ is not in it: the grammar restores it). */
export const PLATE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.';

/** PaddleOCR det normalisation (configs/det: NormalizeImage, applied to the BGR picture). */
const DET_MEAN = [0.485, 0.456, 0.406] as const;
const DET_STD = [0.229, 0.224, 0.225] as const;
/** PaddleOCR rec normalisation: (x / 255 - 0.5) / 0.5, input height 48 (PP-OCRv4 rec_image_shape 3,48,320). */
const REC_MEAN = [0.5, 0.5, 0.5] as const;
const REC_STD = [0.5, 0.5, 0.5] as const;
const REC_HEIGHT = 48;
/** PaddleOCR pads every line to at least 320 px wide (max_wh_ratio starts at 320/48); the model saw that. */
const REC_MIN_WIDTH = 320;
const REC_MAX_WIDTH = 640;
/** Det enlarges a searched region at most this many times (a rider's plate: 3x of ~30 px). */
const MAX_DET_UPSCALE = 4;

export interface PlateOcrOptions {
  /** Long side of the det input in pixels (rounded to a multiple of 32); small crops are enlarged to it. */
  detLongSidePx: number;
  intraOpThreads: number;
}

export const DEFAULT_PLATE_OCR_OPTIONS: PlateOcrOptions = { detLongSidePx: 640, intraOpThreads: 1 };

export interface OcrTimings {
  detMs: number;
  recMs: number;
}

export class PlateOcr {
  readonly timings: OcrTimings = { detMs: 0, recMs: 0 };

  private constructor(
    private readonly det: ort.InferenceSession,
    private readonly rec: ort.InferenceSession,
    private readonly alphabet: CtcAlphabet,
    private readonly o: PlateOcrOptions,
  ) {}

  get detLongSidePx(): number {
    return this.o.detLongSidePx;
  }

  static async load(options: Partial<PlateOcrOptions> = {}): Promise<PlateOcr> {
    const o = { ...DEFAULT_PLATE_OCR_OPTIONS, ...options };
    const files = resolveOcrModels();
    const sessionOptions = {
      intraOpThreads: o.intraOpThreads,
      interOpThreads: 1,
      graphOptimizationLevel: 'all' as const,
      executionProvider: 'cpu',
    };
    const det = await loadSession(files.detFile, sessionOptions);
    const rec = await loadSession(files.recFile, sessionOptions).catch(async (err) => {
      await det.release();
      throw err;
    });
    const keys = readFileSync(files.keysFile, 'utf8').split(/\r?\n/);
    if (keys.at(-1) === '') keys.pop();
    const alphabet = new CtcAlphabet(keys, PLATE_ALPHABET);
    const classes = rec.outputMetadata[0];
    const last = classes?.isTensor ? classes.shape.at(-1) : undefined;
    if (typeof last === 'number' && last !== alphabet.classCount) {
      await det.release();
      await rec.release();
      throw new Error(`rec model has ${last} classes, the character list gives ${alphabet.classCount}`);
    }
    return new PlateOcr(det, rec, alphabet, o);
  }

  /**
   * Text lines in a rectangle of the image, as boxes in image pixels, best score first. The rectangle is snapped
   * to whole pixels and enlarged by a whole factor (about longSidePx / its long side, 1..MAX_DET_UPSCALE), then
   * padded to multiples of 32 rather than stretched: so a pixel of the plate lands on the same det input pixels
   * whatever the vehicle box was, and a box one pixel wider cannot change what is read.
   */
  async detectLines(
    img: RawImage,
    rect: readonly [number, number, number, number],
    longSidePx = this.o.detLongSidePx,
  ): Promise<TextLineBox[]> {
    const x0 = Math.max(0, Math.floor(rect[0]));
    const y0 = Math.max(0, Math.floor(rect[1]));
    const x1 = Math.min(img.width, Math.ceil(rect[2]));
    const y1 = Math.min(img.height, Math.ceil(rect[3]));
    const rw = x1 - x0;
    const rh = y1 - y0;
    if (rw < 4 || rh < 4) return [];
    const scale = Math.max(1, Math.min(MAX_DET_UPSCALE, Math.round(longSidePx / Math.max(rw, rh))));
    const cw = rw * scale;
    const ch = rh * scale;
    const w = Math.ceil(cw / 32) * 32;
    const h = Math.ceil(ch / 32) * 32;
    const input = resizeToChw(img, [x0, y0, x1, y1], {
      width: w,
      height: h,
      contentWidth: cw,
      contentHeight: ch,
      mean: DET_MEAN,
      std: DET_STD,
      padValue: 0,
    });
    const t0 = performance.now();
    const res = await this.det.run({
      [this.det.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, h, w]),
    });
    this.timings.detMs += performance.now() - t0;
    const out = res[this.det.outputNames[0]!]!;
    const [mh, mw] = [Number(out.dims[2]), Number(out.dims[3])];
    const boxes = textLineBoxes(out.data as Float32Array, mw, mh, DEFAULT_TEXT_LINE_OPTIONS);
    out.dispose();
    // The map has the input's size: map pixels / scale are image pixels from the snapped corner.
    const k = w / mw / scale;
    return boxes.map((b) => ({
      score: b.score,
      boxXyxy: [
        x0 + b.boxXyxy[0] * k,
        y0 + b.boxXyxy[1] * k,
        Math.min(x1, x0 + b.boxXyxy[2] * k),
        Math.min(y1, y0 + b.boxXyxy[3] * k),
      ],
    }));
  }

  /** Reads one text line (a box in image pixels). */
  async recognise(img: RawImage, box: readonly [number, number, number, number]): Promise<CtcResult> {
    const bw = box[2] - box[0];
    const bh = box[3] - box[1];
    if (bw < 2 || bh < 2) return { text: '', confidence: 0, charConfidences: [], chars: [] };
    const contentWidth = Math.min(REC_MAX_WIDTH, Math.ceil((REC_HEIGHT * bw) / bh));
    const width = Math.max(REC_MIN_WIDTH, contentWidth);
    const input = resizeToChw(img, box, {
      width,
      height: REC_HEIGHT,
      contentWidth,
      mean: REC_MEAN,
      std: REC_STD,
      padValue: 0,
    });
    const t0 = performance.now();
    const res = await this.rec.run({
      [this.rec.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, REC_HEIGHT, width]),
    });
    this.timings.recMs += performance.now() - t0;
    const out = res[this.rec.outputNames[0]!]!;
    const steps = Number(out.dims[1]);
    const decoded = this.alphabet.decode(out.data as Float32Array, steps);
    out.dispose();
    return decoded;
  }

  async close(): Promise<void> {
    await this.det.release();
    await this.rec.release();
  }
}
