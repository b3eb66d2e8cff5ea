import type { RenderResult } from './render.ts';

export interface FrameReport {
  frame: number;
  removed: Record<string, number>;
  faces: number;
  plates: number;
}

/** What was removed, per frame and class: written beside the output as JSON. */
export interface AnonymizeReport {
  input: string;
  output: string;
  kind: 'image' | 'video';
  width: number;
  height: number;
  frames: number;
  seconds: number;
  fps: number;
  totals: Record<string, number>;
  perFrame: FrameReport[];
}

export class ReportBuilder {
  private readonly perFrame: FrameReport[] = [];
  private readonly totals: Record<string, number> = {};
  private readonly started = performance.now();

  add(frame: number, r: RenderResult): void {
    this.perFrame.push({ frame, removed: r.removed, faces: r.facesBlurred, plates: r.platesBlurred });
    for (const [k, n] of Object.entries(r.removed)) this.totals[k] = (this.totals[k] ?? 0) + n;
    if (r.facesBlurred) this.totals.face = (this.totals.face ?? 0) + r.facesBlurred;
    if (r.platesBlurred) this.totals.plate = (this.totals.plate ?? 0) + r.platesBlurred;
  }

  get frames(): number {
    return this.perFrame.length;
  }

  build(head: Pick<AnonymizeReport, 'input' | 'output' | 'kind' | 'width' | 'height'>): AnonymizeReport {
    const seconds = (performance.now() - this.started) / 1000;
    return {
      ...head,
      frames: this.perFrame.length,
      seconds,
      fps: seconds > 0 ? this.perFrame.length / seconds : 0,
      totals: this.totals,
      perFrame: this.perFrame,
    };
  }
}
