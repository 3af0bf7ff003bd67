// Loads OpenCV's WebAssembly build (@techstark/opencv-js) once per process; every view guard shares it.
import { createRequire } from 'node:module';

// biome-ignore lint/suspicious/noExplicitAny: opencv.js ships loose typings (mirada's); the estimator wraps it.
export type OpenCv = any;

let loading: Promise<{ cv: OpenCv }> | undefined;

/**
 * Resolves once the runtime is initialised. The module object has a `then` that hands back itself, so it must
 * never be awaited or returned from an async function directly (that loops forever): it is wrapped in an object.
 */
export function loadOpenCv(): Promise<{ cv: OpenCv }> {
  loading ??= new Promise((resolve) => {
    // Node's own require: a test runner's module transform would otherwise walk the 11 MB script (minutes).
    const m = createRequire(import.meta.url)('@techstark/opencv-js') as OpenCv;
    if (m.calledRun) resolve({ cv: m });
    else m.onRuntimeInitialized = () => resolve({ cv: m });
  });
  return loading;
}
