import { emptyMask, type Mask } from './mask.ts';
import type { Frame } from './types.ts';

export interface BackgroundOptions {
  /** Keep one sample every this many frames. */
  sampleEvery: number;
  /** How many recent samples the median is taken over. */
  samples: number;
  /** A pixel needs at least this many samples where it was not masked to be filled from them. */
  minValid: number;
}

/** Inpainted pixels of the part no sample could fill are reused for this many frames, then redone. */
const REUSE_FRAMES = 25;

interface Sample {
  data: Uint8Array;
  mask: Uint8Array;
}

/**
 * A fixed camera's background: the per-pixel temporal median of recent frames, counting in each
 * sample only the pixels that were not masked there (a person walking by never enters it). It is
 * computed lazily, only where a frame needs filling, so the cost follows the masked area.
 */
export class BackgroundModel {
  private readonly ring: Sample[] = [];
  private seen = 0;
  /** The inpainting of what no sample could fill, reused while it stays put. */
  readonly inpainted = new InpaintReuse();

  constructor(private readonly o: BackgroundOptions) {}

  /** Offers a frame (with the mask of what was removed from it) as a possible sample. */
  observe(frame: Frame, mask: Mask): void {
    if (this.seen++ % this.o.sampleEvery !== 0) return;
    const s = this.ring.length >= this.o.samples ? this.ring.shift()! : undefined;
    const data = s && s.data.length === frame.data.length ? s.data : new Uint8Array(frame.data.length);
    const m = s && s.mask.length === mask.data.length ? s.mask : new Uint8Array(mask.data.length);
    data.set(frame.data);
    m.set(mask.data);
    this.ring.push({ data, mask: m });
  }

  /**
   * Fills masked pixels from the median background where enough samples saw the background there;
   * returns the mask of pixels it could not fill (the object sat there in every sample, like a
   * parked van), which the caller inpaints.
   */
  fill(frame: Frame, mask: Mask): Mask {
    const rest = emptyMask(mask.width, mask.height);
    const n = this.ring.length;
    const vals = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)];
    for (let p = 0; p < mask.data.length; p++) {
      if (!mask.data[p]) continue;
      let k = 0;
      for (const s of this.ring) {
        if (s.mask[p] || s.data.length !== frame.data.length) continue;
        vals[0]![k] = s.data[p * 3]!;
        vals[1]![k] = s.data[p * 3 + 1]!;
        vals[2]![k] = s.data[p * 3 + 2]!;
        k++;
      }
      if (k < this.o.minValid) {
        rest.data[p] = 255;
        continue;
      }
      for (let c = 0; c < 3; c++) frame.data[p * 3 + c] = median(vals[c]!, k);
    }
    return rest;
  }
}

/**
 * Where the unfillable part stays put (a parked van), its inpainting is reused: `reuse` paints
 * the pixels inpainted in a recent frame and answers the mask of those still to inpaint, and
 * `remember` keeps the frame's inpainted pixels. Every REUSE_FRAMES frames all is redone, so the
 * fill follows the light. The reused colours are the inpainting of the background around the
 * object, never the object itself.
 */
export class InpaintReuse {
  private painted: { data: Uint8Array; mask: Uint8Array; frame: number } | undefined;
  private frame = 0;

  reuse(frame: Frame, rest: Mask): Mask {
    this.frame++;
    const p = this.painted;
    if (!p || p.mask.length !== rest.data.length || this.frame - p.frame >= REUSE_FRAMES) {
      this.painted = undefined;
      return rest;
    }
    const todo = emptyMask(rest.width, rest.height);
    for (let i = 0; i < rest.data.length; i++) {
      if (!rest.data[i]) continue;
      if (p.mask[i]) {
        frame.data[i * 3] = p.data[i * 3]!;
        frame.data[i * 3 + 1] = p.data[i * 3 + 1]!;
        frame.data[i * 3 + 2] = p.data[i * 3 + 2]!;
      } else todo.data[i] = 255;
    }
    return todo;
  }

  /** Keeps the inpainted pixels of `rest` (after the caller inpainted them into `frame`). */
  remember(frame: Frame, rest: Mask): void {
    if (this.painted && this.painted.mask.length === rest.data.length) {
      const p = this.painted;
      for (let i = 0; i < rest.data.length; i++) {
        if (!rest.data[i] || p.mask[i]) continue;
        p.mask[i] = 255;
        p.data[i * 3] = frame.data[i * 3]!;
        p.data[i * 3 + 1] = frame.data[i * 3 + 1]!;
        p.data[i * 3 + 2] = frame.data[i * 3 + 2]!;
      }
      return;
    }
    this.painted = { data: new Uint8Array(frame.data), mask: new Uint8Array(rest.data), frame: this.frame };
  }
}

/** Median of the first k values (insertion sort: k is a few dozen at most). */
function median(v: Uint8Array, k: number): number {
  for (let i = 1; i < k; i++) {
    const x = v[i]!;
    let j = i - 1;
    while (j >= 0 && v[j]! > x) {
      v[j + 1] = v[j]!;
      j--;
    }
    v[j + 1] = x;
  }
  return v[k >> 1]!;
}
