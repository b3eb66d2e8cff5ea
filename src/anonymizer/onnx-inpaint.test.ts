import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatTensor, node, onnxModel, valueInfo } from '../../test/helpers/onnx-proto.ts';
import type { Mask } from './mask.ts';
import { fillOnnxInpaint } from './onnx-inpaint.ts';
import { parseOptions } from './options.ts';
import { renderFrame } from './render.ts';
import type { Frame } from './types.ts';

/**
 * A real ONNX inpainter of any size, made by hand: out = image + mask x (1, 0, 0.5). Where the
 * plug-in zeroes the hole as documented, the hole comes back (255, 0, 128); anything else shows.
 */
function inpainterModel(): Uint8Array {
  return onnxModel({
    inputs: [valueInfo('image', [1, 3, 'H', 'W']), valueInfo('mask', [1, 1, 'H', 'W'])],
    outputs: [valueInfo('out', [1, 3, 'H', 'W'])],
    initializers: [floatTensor('colour', [1, 3, 1, 1], [1, 0, 0.5])],
    nodes: [node('Mul', ['mask', 'colour'], ['paint']), node('Add', ['image', 'paint'], ['out'])],
  });
}

function noise(width: number, height: number): Frame {
  const data = new Uint8Array(width * height * 3);
  let s = 7;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    data[i] = 20 + (s % 200); // never 255/0/128 by chance in all three channels
  }
  return { width, height, data };
}

function rectMask(width: number, height: number, x0: number, y0: number, w: number, h: number): Mask {
  const data = new Uint8Array(width * height);
  for (let y = y0; y < y0 + h; y++) data.fill(255, y * width + x0, y * width + x0 + w);
  return { width, height, data };
}

describe('ONNX inpainter plug-in', () => {
  let dir: string;
  let path: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'msec-onnx-inpaint-'));
    path = join(dir, 'inpaint.onnx');
    writeFileSync(path, inpainterModel());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces exactly the masked pixels with the model output and never shows it the hole', async () => {
    const frame = noise(160, 120);
    const before = new Uint8Array(frame.data);
    const mask = rectMask(160, 120, 40, 30, 48, 40);
    await fillOnnxInpaint(frame, mask, path);
    let inside = 0;
    for (let i = 0; i < 160 * 120; i++) {
      const px = [...frame.data.subarray(i * 3, i * 3 + 3)];
      if (mask.data[i]) {
        expect(px).toEqual([255, 0, 128]);
        inside++;
      } else expect(px).toEqual([...before.subarray(i * 3, i * 3 + 3)]);
    }
    expect(inside).toBe(48 * 40);
  });

  it('fills removed objects when fill=inpaint has an inpaintModel', async () => {
    const frame = noise(200, 100);
    const o = parseOptions({ fill: 'inpaint', inpaintModel: path, faces: 'off', plates: 'off', shadow: 0 });
    const { mask } = await renderFrame(
      frame,
      [{ label: 'person', score: 0.9, box: { x: 150, y: 10, w: 30, h: 60 } }],
      o,
    );
    const i = (40 * 200 + 160) * 3;
    expect([...frame.data.subarray(i, i + 3)]).toEqual([255, 0, 128]);
    expect(mask.data[40 * 200 + 160]).toBe(255);
    expect([...frame.data.subarray(0, 3)]).not.toEqual([255, 0, 128]);
  });
});
