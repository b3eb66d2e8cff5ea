import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeWithFiles } from '../../test/helpers/testdata.ts';
import { CenterNet } from './centernet.ts';
import { boxArea, intersection } from './geometry.ts';
import { decodeImage } from './image-io.ts';
import type { Box } from './types.ts';

const PERSON_JPG = '/usr/share/darknet/data/person.jpg';
const WOMAN: Box = { x: 186, y: 109, w: 89, h: 266 };
const iou = (a: Box, b: Box) => {
  const i = boxArea(intersection(a, b));
  return i / (boxArea(a) + boxArea(b) - i);
};

describeWithFiles([PERSON_JPG], 'CenterNet re-sized to a smaller input', () => {
  it('finds the same person at 512 (as exported), 384 and 320, with boxes in frame pixels', async () => {
    const { frame } = await decodeImage(readFileSync(PERSON_JPG), 1e8);
    for (const side of [512, 384, 320]) {
      const cn = await CenterNet.load({ minScore: 0.3, iouThreshold: 0.5, inputWidth: side, inputHeight: side });
      try {
        const people = (await cn.detect(frame)).filter((d) => d.label === 'person');
        expect(people.length, `people at ${side}`).toBeGreaterThanOrEqual(1);
        expect(Math.max(...people.map((p) => iou(p.box, WOMAN))), `IoU at ${side}`).toBeGreaterThan(0.6);
      } finally {
        cn.close();
      }
    }
  });
});
