// A detection thread: loads the detectors once, then answers one frame at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { LocalDetector } from './detector.ts';
import type { AnonymizerOptions } from './options.ts';

interface Job {
  id: number;
  width: number;
  height: number;
  data: Uint8Array;
}

const port = parentPort!;
const ready = LocalDetector.load(workerData as AnonymizerOptions);
ready.then(
  () => port.postMessage({ ready: true }),
  (err: Error) => port.postMessage({ fatal: err.message }),
);
port.on('message', (job: Job) => {
  ready
    .then((d) => d.detect({ width: job.width, height: job.height, data: job.data }))
    .then(
      (dets) => port.postMessage({ id: job.id, dets }),
      (err: Error) => port.postMessage({ id: job.id, error: err.message }),
    );
});
