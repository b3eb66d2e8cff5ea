import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithFiles } from '../../test/helpers/testdata.ts';
import { LocalDetector } from './detector.ts';
import { decodeImage } from './image-io.ts';
import { maskedCount } from './mask.ts';
import { parseOptions } from './options.ts';
import { renderFrame } from './render.ts';
import { PersonSegmenter } from './segmenter.ts';
import type { Box, Frame } from './types.ts';

/** Debian darknet's still: a woman standing beside a dog and a horse. */
const PERSON_JPG = '/usr/share/darknet/data/person.jpg';
/** Her box, by hand (x, y, w, h), head to feet. */
const WOMAN: Box = { x: 186, y: 109, w: 89, h: 266 };

describeWithFiles([PERSON_JPG], 'person segmenter on a real photograph', () => {
  let frame: Frame;
  let seg: PersonSegmenter;
  beforeAll(async () => {
    frame = (await decodeImage(readFileSync(PERSON_JPG), 1e8)).frame;
    seg = await PersonSegmenter.load({ threshold: 0.5 });
  });
  afterAll(() => seg?.close());

  it('turns a person box into her silhouette: body in, background corners out', async () => {
    const [m] = await seg.segment(frame, [WOMAN]);
    // The box grown by 10 % of its size, clipped to the frame.
    expect(m).toMatchObject({ x: 177, y: 82, w: 107, h: 320 });
    const at = (x: number, y: number) => m!.data[(y - m!.y) * m!.w + (x - m!.x)];
    const share = maskedCount({ width: m!.w, height: m!.h, data: m!.data }) / m!.data.length;
    expect(share).toBeGreaterThan(0.25); // a person, not noise
    expect(share).toBeLessThan(0.7); // refined: not the whole box
    // Torso and hips are hers; the corners of the grown box are horse, dog and sky.
    expect(at(230, 200)).toBe(255);
    expect(at(228, 280)).toBe(255);
    expect(at(m!.x + 2, m!.y + 2)).toBe(0);
    expect(at(m!.x + m!.w - 3, m!.y + 2)).toBe(0);
    expect(at(m!.x + m!.w - 3, m!.y + m!.h - 3)).toBe(0);
  });

  it('a higher threshold keeps a subset of the pixels', async () => {
    const strict = await PersonSegmenter.load({ threshold: 0.9 });
    try {
      const [loose] = await seg.segment(frame, [WOMAN]);
      const [tight] = await strict.segment(frame, [WOMAN]);
      let extra = 0;
      for (let i = 0; i < tight!.data.length; i++) if (tight!.data[i] && !loose!.data[i]) extra++;
      expect(extra).toBe(0);
      expect(maskedCount({ width: 1, height: 1, data: tight!.data })).toBeLessThan(
        maskedCount({ width: 1, height: 1, data: loose!.data }),
      );
    } finally {
      strict.close();
    }
  });

  it('personMask=segment: the detector attaches silhouettes and the renderer removes fewer pixels, the woman still hidden', async () => {
    const o = parseOptions({ personMask: 'segment', faces: 'off', fill: 'solid', shadow: 0 });
    const det = await LocalDetector.load(o);
    try {
      const dets = await det.detect(frame);
      const person = dets.find((d) => d.label === 'person');
      expect(person?.mask).toBeDefined();
      const seg = await renderFrame({ ...frame, data: new Uint8Array(frame.data) }, dets, o);
      const box = await renderFrame({ ...frame, data: new Uint8Array(frame.data) }, dets, { ...o, personMask: 'box' });
      expect(maskedCount(seg.mask)).toBeLessThan(0.8 * maskedCount(box.mask));
      for (const [x, y] of [
        [230, 200],
        [228, 280],
        [225, 130],
      ] as const)
        expect(seg.mask.data[y * frame.width + x]).toBe(255);
    } finally {
      await det.close();
    }
  });
});
