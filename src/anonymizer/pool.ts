import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MsecError } from '../core/errors.ts';
import type { AnonymizerOptions } from './options.ts';
import type { Detection, Frame, ObjectDetector } from './types.ts';

interface Pending {
  resolve(d: Detection[]): void;
  reject(e: Error): void;
}
interface Slot {
  worker: Worker;
  busy: number;
}

// Compiled (dist/), the worker's entry is a .js beside this file. From the sources (tests, benches)
// worker threads do not inherit tsx's loader: each registers it before importing its .ts entry
// (require.resolve finds tsx's CommonJS face; its ESM face sits beside it).
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(FROM_SOURCE ? './detector-worker.ts' : './detector-worker.js', import.meta.url).href;
const BOOT = FROM_SOURCE
  ? `import(${JSON.stringify(
      pathToFileURL(
        createRequire(import.meta.url)
          .resolve('tsx/esm/api')
          .replace(/\.cjs$/, '.mjs'),
      ).href,
    )}).then((t) => { t.register(); return import(${JSON.stringify(ENTRY)}); })`
  : `import(${JSON.stringify(ENTRY)})`;

/** Detection spread over worker threads (one TensorFlow.js WebAssembly instance each). */
export class DetectorPool implements ObjectDetector {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor() {}

  static defaultSize(): number {
    return Math.max(1, Math.min(4, availableParallelism()));
  }

  /** Starts `size` workers and waits until each has loaded its models. */
  static async start(o: AnonymizerOptions, size = DetectorPool.defaultSize()): Promise<DetectorPool> {
    const pool = new DetectorPool();
    const ready: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const worker = new Worker(BOOT, { eval: true, workerData: o });
      const slot: Slot = { worker, busy: 0 };
      pool.slots.push(slot);
      ready.push(
        new Promise((resolve, reject) => {
          worker.on(
            'message',
            (m: { ready?: true; fatal?: string; id?: number; dets?: Detection[]; error?: string }) => {
              if (m.ready) return resolve();
              if (m.fatal) return reject(new MsecError('ANONYMIZER_MODEL_INVALID', m.fatal));
              const p = pool.pending.get(m.id!);
              if (!p) return;
              pool.pending.delete(m.id!);
              slot.busy--;
              if (m.error) p.reject(new MsecError('ANONYMIZER_DETECT_FAILED', m.error));
              else p.resolve(m.dets!);
            },
          );
          worker.on('error', (err: Error) => {
            pool.fail(err);
            reject(err);
          });
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  private fail(err: Error): void {
    this.failure = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Sends the frame (copied: the caller keeps its own) to the least busy worker. */
  detect(frame: Frame): Promise<Detection[]> {
    if (this.failure) return Promise.reject(this.failure);
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    const data = new Uint8Array(frame.data);
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, width: frame.width, height: frame.height, data }, [data.buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
