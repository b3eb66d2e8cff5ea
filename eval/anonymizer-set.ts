import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { decodeImage, type Frame } from '../src/anonymizer/index.ts';

/** The evaluation's pictures: frames of Debian opencv-doc's vtest.avi and stills Debian ships. */
export const VTEST = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
const OPENCV_DATA = '/usr/share/doc/opencv-doc/examples/data';
const DARKNET_DATA = '/usr/share/darknet/data';
const OPENCV_HTML = '/usr/share/doc/opencv-doc/opencv4/html';

export interface EvalSource {
  id: string;
  file: string;
  /** Frame index for a video. */
  frame?: number;
}

export const VTEST_FRAMES = Array.from({ length: 32 }, (_, i) => i * 25);

export const EVAL_SOURCES: EvalSource[] = [
  ...VTEST_FRAMES.map((frame) => ({ id: `vtest-${String(frame).padStart(3, '0')}`, file: VTEST, frame })),
  { id: 'darknet-person', file: `${DARKNET_DATA}/person.jpg` },
  { id: 'darknet-dog', file: `${DARKNET_DATA}/dog.jpg` },
  { id: 'darknet-kite', file: `${DARKNET_DATA}/kite.jpg` },
  { id: 'darknet-horses', file: `${DARKNET_DATA}/horses.jpg` },
  { id: 'darknet-eagle', file: `${DARKNET_DATA}/eagle.jpg` },
  { id: 'opencv-messi5', file: `${OPENCV_DATA}/messi5.jpg` },
  { id: 'opencv-building', file: `${OPENCV_DATA}/building.jpg` },
  { id: 'opencv-licenseplate', file: `${OPENCV_DATA}/licenseplate_motion.jpg` },
  // The motion-deblur tutorial's street (two red boxes drawn on it by the tutorial), from opencv-doc's HTML.
  { id: 'opencv-motion-street', file: `${OPENCV_HTML}/motion_original.jpg` },
];

/** One frame of a video, decoded by ffmpeg (seeking by frame number, exact). */
export function videoFrame(file: string, index: number, width = 768, height = 576): Frame {
  const r = spawnSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      file,
      '-vf',
      `select=eq(n\\,${index})`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { maxBuffer: 64 << 20 },
  );
  if (r.status !== 0 || r.stdout.length !== width * height * 3)
    throw new Error(`cannot decode frame ${index} of ${file}: ${r.stderr.toString()}`);
  return { width, height, data: new Uint8Array(r.stdout) };
}

export async function loadSource(s: EvalSource): Promise<Frame> {
  if (s.frame !== undefined) return videoFrame(s.file, s.frame);
  return (await decodeImage(readFileSync(s.file), 50_000_000)).frame;
}
