// First guesses for hand labelling: runs the detector on the evaluation's frames and stills and draws
// its boxes, numbered, onto PNGs that a person checks and corrects (see eval/labels/README.md).
// Usage: node --import tsx eval/anonymizer-draft-labels.ts OUT_DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { LocalDetector, parseOptions } from '../src/anonymizer/index.ts';
import { EVAL_SOURCES, loadSource } from './anonymizer-set.ts';

const out = process.argv[2] ?? '/tmp/anonymizer-draft';
mkdirSync(out, { recursive: true });
const detector = await LocalDetector.load(parseOptions({ minScore: 0.3, faceMinScore: 0.5 }));
const drafts = [];
for (const src of EVAL_SOURCES.filter((s) => !process.argv[3] || s.id === process.argv[3])) {
  const frame = await loadSource(src);
  const dets = await detector.detect(frame);
  const objects = dets.map((d) => ({ label: d.label, box: [d.box.x, d.box.y, d.box.w, d.box.h].map(Math.round) }));
  drafts.push({ ...src, objects });
  const rects = objects
    .map(
      (o, i) =>
        `<rect x="${o.box[0]}" y="${o.box[1]}" width="${o.box[2]}" height="${o.box[3]}" fill="none" stroke="${o.label === 'person' ? 'red' : 'yellow'}" stroke-width="1"/><text x="${o.box[0]}" y="${o.box[1]! + 10}" font-size="11" fill="cyan">${i}</text>`,
    )
    .join('');
  const svg = Buffer.from(
    `<svg width="${frame.width}" height="${frame.height}" xmlns="http://www.w3.org/2000/svg">${rects}</svg>`,
  );
  await sharp(Buffer.from(frame.data), { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .composite([{ input: svg }])
    .png()
    .toFile(join(out, `${src.id}.png`));
}
writeFileSync(join(out, 'draft.json'), JSON.stringify(drafts, null, 1));
await detector.close();
