import { existsSync } from 'node:fs';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { MsecError } from '../core/errors.ts';

type Ort = typeof import('onnxruntime-node');
let ort: Promise<Ort> | undefined;

/** onnxruntime-node, loaded on first use: its native library is large and most runs never need it. */
export function loadOrt(): Promise<Ort> {
  ort ??= import('onnxruntime-node').catch((err: Error) => {
    ort = undefined;
    throw new MsecError('ANONYMIZER_BACKEND_UNAVAILABLE', `onnxruntime-node does not load: ${err.message}`);
  });
  return ort;
}

/**
 * An ONNX model from a local file, on the CPU with one intra-op thread: the anonymizer already
 * runs one detector per core in worker threads, and more threads per session would only contend.
 */
export async function loadOnnxSession(path: string): Promise<InferenceSession> {
  if (!existsSync(path)) throw new MsecError('ANONYMIZER_MODEL_INVALID', `no ONNX model at ${path}`);
  const rt = await loadOrt();
  try {
    return await rt.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    throw new MsecError('ANONYMIZER_MODEL_INVALID', `cannot load the ONNX model ${path}: ${(err as Error).message}`);
  }
}

export async function tensor(data: Float32Array, dims: number[]): Promise<Tensor> {
  const rt = await loadOrt();
  return new rt.Tensor('float32', data, dims);
}

/** The fixed size of an NCHW image input, or undefined where the model takes any size. */
export function fixedInputSize(session: InferenceSession, input = 0): { width: number; height: number } | undefined {
  const meta = session.inputMetadata[input];
  if (!meta || !meta.isTensor) return undefined;
  const [, , h, w] = meta.shape;
  return typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0 ? { width: w, height: h } : undefined;
}
