import { createRequire } from 'node:module';
import { MsecError } from '../core/errors.ts';

/** The parts of OpenCV.js the anonymizer uses (its own typings are large and loose). */
export interface Cv {
  Mat: any;
  Size: any;
  CV_8UC1: number;
  CV_8UC3: number;
  INPAINT_TELEA: number;
  INPAINT_NS: number;
  INTER_AREA: number;
  INTER_LINEAR: number;
  inpaint(src: any, mask: any, dst: any, radius: number, method: number): void;
  resize(src: any, dst: any, size: any, fx: number, fy: number, interpolation: number): void;
}

const LOAD_TIMEOUT_MS = 120_000;
let loading: Promise<{ cv: Cv }> | undefined;

/**
 * OpenCV.js, loaded once. Its Emscripten module is a thenable that resolves to itself (awaiting it
 * never settles) and its ready callback does not fire reliably under a loader, so readiness is
 * polled: the runtime adds `Mat` once the WebAssembly is compiled.
 */
export function loadOpenCv(): Promise<{ cv: Cv }> {
  // Always handed out wrapped: a promise resolved with a thenable adopts it, forever here.
  loading ??= new Promise<{ cv: Cv }>((resolve, reject) => {
    const cv = createRequire(import.meta.url)('@techstark/opencv-js') as Cv;
    const start = Date.now();
    const tick = () => {
      if (typeof cv.Mat === 'function') resolve({ cv });
      else if (Date.now() - start > LOAD_TIMEOUT_MS)
        reject(new MsecError('ANONYMIZER_BACKEND_UNAVAILABLE', 'OpenCV.js did not start'));
      else setTimeout(tick, 10);
    };
    tick();
  });
  return loading;
}
