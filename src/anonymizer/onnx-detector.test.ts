import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MsecError } from '../core/errors.ts';
import { floatTensor, int64Tensor, node, onnxModel, valueInfo } from '../../test/helpers/onnx-proto.ts';
import { LocalDetector } from './detector.ts';
import { OnnxDetector } from './onnx-detector.ts';
import { parseOptions } from './options.ts';
import type { Frame } from './types.ts';

/**
 * A real ONNX detector, made by hand: with r = mean of the red plane of the [1, 3, 64, 64] input,
 * it outputs a person [0.25, 0.25, 0.75, 0.75] scored r, a car [0.5, 0.5, 1, 1] scored 1 - r, and
 * a dog (COCO 16, not a privacy class) scored 0.99. It fails unless the plug-in scales the frame
 * to the model's size, to [0, 1], in RGB planes, and reads the rows back as documented.
 */
function detectorModel(): Uint8Array {
  return onnxModel({
    inputs: [valueInfo('images', [1, 3, 64, 64])],
    outputs: [valueInfo('dets', [3, 6])],
    initializers: [
      floatTensor('red', [1, 3, 1, 1], [3, 0, 0]),
      int64Tensor('shape11', [2], [1, 1]),
      floatTensor('one', [1, 1], [1]),
      floatTensor('personBox', [1, 4], [0.25, 0.25, 0.75, 0.75]),
      floatTensor('personCls', [1, 1], [0]),
      floatTensor('carBox', [1, 4], [0.5, 0.5, 1, 1]),
      floatTensor('carCls', [1, 1], [2]),
      floatTensor('dog', [1, 6], [0, 0, 0.5, 0.5, 0.99, 16]),
    ],
    nodes: [
      node('Mul', ['images', 'red'], ['weighted']),
      node('ReduceMean', ['weighted'], ['mean'], [{ name: 'keepdims', int: 1 }]),
      node('Reshape', ['mean', 'shape11'], ['r']),
      node('Sub', ['one', 'r'], ['notR']),
      node('Concat', ['personBox', 'r', 'personCls'], ['person'], [{ name: 'axis', int: 1 }]),
      node('Concat', ['carBox', 'notR', 'carCls'], ['car'], [{ name: 'axis', int: 1 }]),
      node('Concat', ['person', 'car', 'dog'], ['dets'], [{ name: 'axis', int: 0 }]),
    ],
  });
}

function solid(width: number, height: number, rgb: [number, number, number]): Frame {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, data };
}

describe('ONNX detector plug-in', () => {
  let dir: string;
  let path: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'msec-onnx-det-'));
    path = join(dir, 'detector.onnx');
    writeFileSync(path, detectorModel());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('feeds RGB planes in [0, 1] at the model size and maps rows to frame boxes and privacy classes', async () => {
    const det = await OnnxDetector.load(path, { minScore: 0.2, iouThreshold: 0.5 });
    try {
      const red = await det.detect(solid(320, 240, [255, 0, 0]));
      expect(red).toHaveLength(1);
      expect(red[0]!.label).toBe('person');
      expect(red[0]!.score).toBeCloseTo(1, 5);
      expect(red[0]!.box.x).toBeCloseTo(80, 3);
      expect(red[0]!.box.y).toBeCloseTo(60, 3);
      expect(red[0]!.box.w).toBeCloseTo(160, 3);
      expect(red[0]!.box.h).toBeCloseTo(120, 3);

      // Blue has no red: only the car, scored 1 - 0 (a BGR-fed model would see red here).
      const blue = await det.detect(solid(100, 50, [0, 0, 255]));
      expect(blue.map((d) => d.label)).toEqual(['car']);
      expect(blue[0]!.score).toBeCloseTo(1, 5);
      expect(blue[0]!.box).toMatchObject({ x: 50, y: 25 });

      // Red at 153/255 = 0.6: both rows pass the threshold, with those scores.
      const mid = await det.detect(solid(64, 64, [153, 90, 10]));
      const byLabel = Object.fromEntries(mid.map((d) => [d.label, d.score]));
      expect(byLabel.person).toBeCloseTo(0.6, 4);
      expect(byLabel.car).toBeCloseTo(0.4, 4);
      expect(mid.some((d) => (d.label as string) === 'dog')).toBe(false);
    } finally {
      det.close();
    }
  });

  it('is chosen by LocalDetector for an .onnx detectorModel path', async () => {
    const local = await LocalDetector.load(parseOptions({ detectorModel: path, faces: 'off', plates: 'off' }));
    try {
      const dets = await local.detect(solid(200, 100, [255, 255, 255]));
      expect(dets.map((d) => d.label)).toEqual(['person']);
    } finally {
      await local.close();
    }
  });

  it('refuses a missing file and a model whose output is not rows of 6', async () => {
    await expect(OnnxDetector.load(join(dir, 'none.onnx'), { minScore: 0.2, iouThreshold: 0.5 })).rejects.toThrow(
      MsecError,
    );
    const bad = join(dir, 'bad.onnx');
    writeFileSync(
      bad,
      onnxModel({
        inputs: [valueInfo('images', [1, 3, 8, 8])],
        outputs: [valueInfo('out', [1, 3, 1, 1])],
        nodes: [node('ReduceMean', ['images'], ['out'], [{ name: 'axes', ints: [2, 3] }])],
      }),
    );
    const det = await OnnxDetector.load(bad, { minScore: 0.2, iouThreshold: 0.5 });
    try {
      await expect(det.detect(solid(8, 8, [1, 2, 3]))).rejects.toMatchObject({ code: 'ANONYMIZER_MODEL_INVALID' });
    } finally {
      det.close();
    }
  });
});
