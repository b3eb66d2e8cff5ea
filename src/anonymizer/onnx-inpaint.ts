import type { InferenceSession } from 'onnxruntime-node';
import { MsecError } from '../core/errors.ts';
import { maskBounds, type Mask } from './mask.ts';
import { fixedInputSize, loadOnnxSession, tensor } from './onnx.ts';
import type { Frame } from './types.ts';

/** Models that take any size get the hole's neighbourhood scaled to at most this, in multiples of 8. */
const MAX_SIDE = 512;
const sessions = new Map<string, Promise<InferenceSession>>();

/**
 * A plugged-in ONNX inpainter (docs/anonymizer.md, "ONNX plug-ins"): inputs `image` float32
 * [1, 3, H, W] RGB in [0, 1] with the holes zeroed, and `mask` float32 [1, 1, H, W] (1 = hole);
 * output float32 [1, 3, H, W] RGB in [0, 1]. The hole's neighbourhood (its bounds grown by half
 * their size) is scaled to the model's size; only masked pixels are replaced.
 */
export async function fillOnnxInpaint(frame: Frame, mask: Mask, modelPath: string): Promise<void> {
  const region = maskBounds(mask);
  if (!region) return;
  let s = sessions.get(modelPath);
  if (!s) {
    s = loadOnnxSession(modelPath);
    s.catch(() => sessions.delete(modelPath));
    sessions.set(modelPath, s);
  }
  const session = await s;
  const mx = Math.ceil(region.w / 2),
    my = Math.ceil(region.h / 2);
  const x0 = Math.max(0, region.x - mx),
    y0 = Math.max(0, region.y - my);
  const w = Math.min(frame.width, region.x + region.w + mx) - x0,
    h = Math.min(frame.height, region.y + region.h + my) - y0;
  const fixed = fixedInputSize(session);
  const scale = Math.min(1, MAX_SIDE / Math.max(w, h));
  const W = fixed?.width ?? Math.max(8, Math.ceil((w * scale) / 8) * 8),
    H = fixed?.height ?? Math.max(8, Math.ceil((h * scale) / 8) * 8);
  const image = new Float32Array(3 * W * H);
  const hole = new Float32Array(W * H);
  const plane = W * H;
  const srcOf = (x: number, y: number) => [
    x0 + Math.min(w - 1, Math.floor(((x + 0.5) * w) / W)),
    y0 + Math.min(h - 1, Math.floor(((y + 0.5) * h) / H)),
  ];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const [sx, sy] = srcOf(x, y);
      const i = sy! * frame.width + sx!,
        o = y * W + x;
      if (mask.data[i]) {
        hole[o] = 1;
        continue; // the hole stays zero in the image: the model never sees what was removed
      }
      image[o] = frame.data[i * 3]! / 255;
      image[plane + o] = frame.data[i * 3 + 1]! / 255;
      image[2 * plane + o] = frame.data[i * 3 + 2]! / 255;
    }
  const [imageName, maskName] = session.inputNames;
  if (!imageName || !maskName)
    throw new MsecError('ANONYMIZER_MODEL_INVALID', 'an ONNX inpainter takes two inputs: image, then mask');
  const res = await session.run({
    [imageName]: await tensor(image, [1, 3, H, W]),
    [maskName]: await tensor(hole, [1, 1, H, W]),
  });
  const out = res[session.outputNames[0]!]!;
  if (out.type !== 'float32' || out.data.length !== 3 * plane)
    throw new MsecError(
      'ANONYMIZER_MODEL_INVALID',
      `an ONNX inpainter must output float32 [1, 3, ${H}, ${W}]; got ${out.type} [${out.dims.join(', ')}]`,
    );
  const px = out.data as Float32Array;
  const to8 = (v: number) => Math.max(0, Math.min(255, Math.round(v * 255)));
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y + y0) * frame.width + x + x0;
      if (!mask.data[i]) continue;
      const o = Math.min(H - 1, Math.floor(((y + 0.5) * H) / h)) * W + Math.min(W - 1, Math.floor(((x + 0.5) * W) / w));
      frame.data[i * 3] = to8(px[o]!);
      frame.data[i * 3 + 1] = to8(px[plane + o]!);
      frame.data[i * 3 + 2] = to8(px[2 * plane + o]!);
    }
}
