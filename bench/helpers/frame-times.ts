import type { Page } from 'playwright-core';

export interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  /** Frames the display would have shown but the page was not ready for (a delta of k intervals drops k-1). */
  dropped: number;
}

/**
 * Scrolls the element matching `selector` (or the document) by `step` px a frame for `frames`
 * frames, driven by requestAnimationFrame, and returns the deltas between frames (ms). Measured
 * inside the page, so the figures are the browser's own frame cadence, not the test's.
 */
export async function scrollFrames(
  page: Page,
  selector: string | null,
  step: number,
  frames: number,
): Promise<number[]> {
  // A string: the root project has no DOM types; this runs in the page.
  return page.evaluate<number[]>(`new Promise((resolve) => {
    const el = ${selector ? `document.querySelector(${JSON.stringify(selector)})` : 'document.scrollingElement'};
    const deltas = [];
    let last = 0;
    let n = 0;
    const tick = (t) => {
      if (last) deltas.push(t - last);
      last = t;
      if (++n > ${frames}) return resolve(deltas);
      el.scrollTop += ${step};
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })`);
}

export function frameStats(deltas: number[], interval: number): FrameStats {
  const s = [...deltas].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return {
    frames: deltas.length,
    p50: q(0.5),
    p95: q(0.95),
    max: s[s.length - 1] ?? 0,
    dropped: deltas.reduce((d, x) => d + Math.max(0, Math.round(x / interval) - 1), 0),
  };
}
