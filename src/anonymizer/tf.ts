import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { MsecError } from '../core/errors.ts';

export { tf };

let ready: Promise<void> | undefined;

/**
 * Selects TensorFlow.js's WebAssembly backend with its binaries from node_modules. Without a local
 * path it would fetch them from a CDN, and failing that fall back silently to the pure-JS backend,
 * which is some 35 times slower.
 */
export function initTf(): Promise<void> {
  ready ??= (async () => {
    const wasmEntry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(join(dirname(wasmEntry), '/'));
    if (!(await tf.setBackend('wasm')))
      throw new MsecError('ANONYMIZER_BACKEND_UNAVAILABLE', 'the TensorFlow.js WebAssembly backend did not start');
    await tf.ready();
  })();
  return ready;
}

/** The parts of a converted graph model a loader may rewrite before it is compiled. */
export interface GraphModelParts {
  /** The GraphDef as JSON: `node` is the list of operations. */
  modelTopology: { node?: { name: string; op: string; attr?: Record<string, any> }[] };
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** Every weight shard concatenated, in manifest order (writable). */
  weights: Buffer;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Byte offset of a weight in the concatenated shards, or undefined where there is none by that name. */
export function weightOffset(parts: GraphModelParts, name: string): number | undefined {
  let off = 0;
  for (const w of parts.weightSpecs) {
    if (w.name === name) return off;
    const n = w.shape.reduce((a, b) => a * b, 1);
    off += n * (BYTES[w.quantization?.dtype ?? w.dtype] ?? 4);
  }
  return undefined;
}

/** A TensorFlow.js graph model read from a local `model.json` and its weight shards, never fetched. */
export async function loadLocalGraphModel(
  modelJson: string,
  patch?: (parts: GraphModelParts) => void,
): Promise<tf.GraphModel> {
  await initTf();
  const handler: tf.io.IOHandler = {
    load: async () => {
      const m = JSON.parse(readFileSync(modelJson, 'utf8')) as {
        modelTopology: object;
        format?: string;
        generatedBy?: string;
        convertedBy?: string | null;
        signature?: object;
        weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      };
      const shards = m.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(modelJson), p))));
      const all = Buffer.concat(shards);
      patch?.({
        modelTopology: m.modelTopology,
        weightSpecs: m.weightsManifest.flatMap((g) => g.weights),
        weights: all,
      });
      return {
        modelTopology: m.modelTopology,
        weightSpecs: m.weightsManifest.flatMap((g) => g.weights),
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer,
        format: m.format,
        generatedBy: m.generatedBy,
        convertedBy: m.convertedBy ?? null,
        signature: m.signature,
      };
    },
  };
  try {
    return await tf.loadGraphModel(handler);
  } catch (err) {
    throw new MsecError('ANONYMIZER_MODEL_INVALID', `cannot load the model ${modelJson}: ${(err as Error).message}`);
  }
}

/** Where @vladmandic/human keeps its bundled models (CenterNet, BlazeFace). */
export function humanModelPath(file: string): string {
  const entry = createRequire(import.meta.url).resolve('@vladmandic/human');
  return join(dirname(entry), '..', 'models', file);
}
