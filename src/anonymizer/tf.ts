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

/** A TensorFlow.js graph model read from a local `model.json` and its weight shards, never fetched. */
export async function loadLocalGraphModel(modelJson: string): Promise<tf.GraphModel> {
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
