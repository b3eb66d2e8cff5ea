import { BackgroundModel } from './background.ts';
import type { AnonymizerOptions } from './options.ts';
import { renderFrame, type RenderResult } from './render.ts';
import type { Detection, Frame, ObjectDetector } from './types.ts';

export type FrameSink = (index: number, frame: Frame, result: RenderResult) => Promise<void>;

/**
 * Puts a video's frames through detection and rendering in order. The detector runs on every k-th
 * frame (and the last), several frames in flight so every worker is busy; each frame is masked with
 * the objects detected within `carry` detection runs before and after it, so a person the detector
 * misses in one frame, or who moved since the last run, is still covered (tracking by carrying
 * masks). Memory holds a bounded window of frames, never the whole video.
 */
export class FrameSequencer {
  private readonly frames: { index: number; frame: Frame }[] = [];
  private readonly detections = new Map<number, Promise<Detection[]>>();
  private readonly background: BackgroundModel | undefined;
  private readonly window: number;
  private readonly lag: number;
  private next = 0;
  private lastDetected = -1;

  constructor(
    private readonly detector: ObjectDetector,
    private readonly o: AnonymizerOptions,
    private readonly sink: FrameSink,
    inFlight = 2,
  ) {
    const k = o.detectEvery;
    this.window = k > 1 ? Math.max(1, o.carry) * k : o.carry;
    this.lag = Math.max(this.window, inFlight);
    this.background =
      o.fill === 'background' ? new BackgroundModel({ sampleEvery: 5, samples: 15, minValid: 3 }) : undefined;
  }

  /** Adds the next decoded frame; renders and hands on the frames whose window is complete. */
  async push(frame: Frame): Promise<void> {
    const index = this.next++;
    this.frames.push({ index, frame });
    if (index % this.o.detectEvery === 0) this.schedule(index, frame);
    while (this.frames.length > 0 && this.frames[0]!.index + this.lag <= index) await this.emitHead();
  }

  /** Renders the remaining frames (the last frame is always detected). */
  async finish(): Promise<void> {
    const last = this.frames.at(-1);
    if (last && last.index !== this.lastDetected) this.schedule(last.index, last.frame);
    while (this.frames.length > 0) await this.emitHead();
  }

  private schedule(index: number, frame: Frame): void {
    const p = this.detector.detect(frame);
    p.catch(() => undefined); // awaited in emitHead; this keeps an early failure from going unhandled
    this.detections.set(index, p);
    this.lastDetected = index;
  }

  private async emitHead(): Promise<void> {
    const { index, frame } = this.frames.shift()!;
    const dets: Detection[] = [];
    let nearest: { d: number; dets: Detection[] } | undefined;
    for (const [d, p] of this.detections) {
      if (Math.abs(d - index) > this.window && d !== index) continue;
      const found = await p;
      dets.push(...found);
      if (!nearest || Math.abs(d - index) < Math.abs(nearest.d - index)) nearest = { d, dets: found };
    }
    // Detection runs too old for any frame still waiting can go.
    for (const d of this.detections.keys()) if (d < index + 1 - this.window) this.detections.delete(d);
    const result = await renderFrame(frame, dets, this.o, this.background);
    // The union double-counts an object seen in neighbouring runs: the report counts the nearest run.
    result.removed = {};
    for (const d of nearest?.dets ?? [])
      if ((this.o.classes as string[]).includes(d.label)) result.removed[d.label] = (result.removed[d.label] ?? 0) + 1;
    await this.sink(index, frame, result);
  }
}
