import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, LocalDetector, renderFrame } from '../src/anonymizer/index.ts';
import { loadSource } from '../eval/anonymizer-set.ts';
import { readLabels, Score } from '../eval/anonymizer-score.ts';

// A mini-evaluation on a few hand-labelled pictures (the full one is `npm run eval -- anonymizer`).
const PICK = [
  'vtest-100',
  'vtest-525',
  'vtest-750',
  'darknet-person',
  'darknet-kite',
  'opencv-licenseplate',
  'darknet-eagle',
];

describe('anonymizer mini-evaluation', () => {
  let detector: LocalDetector;
  beforeAll(async () => {
    detector = await LocalDetector.load(DEFAULT_OPTIONS);
  });
  afterAll(() => detector.close());

  it('hides at least 90 % of the labelled people, vehicles, faces and plates at default settings and leaves an empty scene alone', async () => {
    const items = readLabels().filter((i) => PICK.includes(i.id));
    expect(items).toHaveLength(PICK.length);
    const score = new Score();
    for (const item of items) {
      const frame = await loadSource(item);
      const result = await renderFrame(frame, await detector.detect(frame), { ...DEFAULT_OPTIONS, fill: 'solid' });
      score.add(item, result.mask);
    }
    expect(score.overall.total).toBeGreaterThan(30);
    expect(score.recall, score.lines().join('\n')).toBeGreaterThanOrEqual(0.9);
    expect(score.emptySceneChange).toBeLessThan(0.05);
  }, 180_000);
});
