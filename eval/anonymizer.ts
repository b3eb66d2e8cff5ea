/**
 * `npm run eval -- anonymizer [--quick]`: privacy recall of the anonymizer on hand-labelled frames
 * of vtest.avi and stills from Debian packages (eval/labels/anonymizer.json), a sweep of the
 * settings the defaults were chosen from, the effect of detecting every k-th video frame with
 * masks carried across, and frames per second.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import {
  DEFAULT_OPTIONS,
  DetectorPool,
  parseOptions,
  renderFrame,
  type AnonymizerOptions,
  type Detection,
  type Frame,
} from '../src/anonymizer/index.ts';
import { spawnDecoder } from '../src/anonymizer/ffmpeg.ts';
import { loadSource, VTEST } from './anonymizer-set.ts';
import { readLabels, Score, type LabelledItem } from './anonymizer-score.ts';

const LOWEST_SCORE = 0.1;

function load(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${execFileSync('uptime').toString().trim()})`;
}

/** Scores options on cached detections (made at the lowest threshold), masking with a cheap solid fill. */
async function score(
  items: { item: LabelledItem; frame: Frame; dets: Detection[] }[],
  o: AnonymizerOptions,
): Promise<Score> {
  const s = new Score();
  const solid = { ...o, fill: 'solid' as const };
  for (const { item, frame, dets } of items) {
    const copy = { ...frame, data: new Uint8Array(frame.data) };
    const kept = dets.filter((d) =>
      d.label === 'face'
        ? d.score >= o.faceMinScore
        : d.label === 'plate'
          ? d.score >= o.plateMinScore
          : d.score >= o.minScore,
    );
    s.add(item, (await renderFrame(copy, kept, solid)).mask);
  }
  return s;
}

/** Every frame of vtest.avi within `reach` of a labelled frame, detected once. */
async function vtestDetections(
  pool: DetectorPool,
  wanted: Set<number>,
): Promise<{ dets: Map<number, Detection[]>; fps: number }> {
  const dec = spawnDecoder(VTEST);
  const size = 768 * 576 * 3;
  let buf: Buffer = Buffer.alloc(0);
  let n = 0;
  const jobs: Promise<void>[] = [];
  const dets = new Map<number, Detection[]>();
  const t0 = performance.now();
  for await (const chunk of dec.stdout! as AsyncIterable<Buffer>) {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= size) {
      const index = n++;
      const data = new Uint8Array(buf.subarray(0, size));
      buf = buf.subarray(size);
      if (!wanted.has(index)) continue;
      jobs.push(
        pool.detect({ width: 768, height: 576, data }).then((d) => {
          dets.set(index, d);
        }),
      );
      if (jobs.length >= 4) await Promise.all(jobs.splice(0));
    }
  }
  await Promise.all(jobs);
  return { dets, fps: wanted.size / ((performance.now() - t0) / 1000) };
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const labels = readLabels();
  const items = quick ? labels.filter((_, i) => i % 4 === 0) : labels;
  console.log(
    `${items.length} labelled pictures, ${items.reduce((a, i) => a + i.objects.length, 0)} objects; ${load()}`,
  );
  // Cached once at the lowest thresholds, with silhouettes and plate text for every person and
  // vehicle (classes=person keeps vehicles, so the plate detector runs on all of them).
  const lowest = parseOptions({
    minScore: LOWEST_SCORE,
    faceMinScore: LOWEST_SCORE,
    plateMinScore: LOWEST_SCORE,
    detectEvery: 1,
    personMask: 'segment',
    plates: 'detect',
    classes: 'person',
  });
  const pool = await DetectorPool.start(lowest, 2);
  const videoPool = await DetectorPool.start({ ...lowest, personMask: 'box', plates: 'off' }, 2);
  try {
    const t0 = performance.now();
    const cached = [];
    for (const item of items) {
      const frame = await loadSource(item);
      cached.push({ item, frame, dets: await pool.detect(frame) });
    }
    const stillFps = items.length / ((performance.now() - t0) / 1000);

    console.log('\n### defaults, each picture on its own');
    const defaults = await score(cached, DEFAULT_OPTIONS);
    for (const l of defaults.lines()) console.log(l);
    if (defaults.misses.length) console.log(`  missed: ${defaults.misses.join('; ')}`);

    console.log(
      '\n### detector input width (the frame squashed to a square of that side): recall at defaults, detection speed',
    );
    for (const detectorSize of [512, 448, 384, 320]) {
      const sized = { ...lowest, detectorSize, personMask: 'box' as const, plates: 'off' as const };
      const p = await DetectorPool.start(sized, 2);
      try {
        const t = performance.now();
        const dets = await Promise.all(cached.map((c) => p.detect(c.frame)));
        const secs = (performance.now() - t) / 1000;
        const s = await score(
          cached.map((c, i) => ({ ...c, dets: dets[i]! })),
          { ...DEFAULT_OPTIONS, detectorSize },
        );
        console.log(
          `detectorSize ${detectorSize}${detectorSize === DEFAULT_OPTIONS.detectorSize ? ' (default)' : ''}: recall ${s.recall.toFixed(3)}, changed outside ${(s.outsideShare * 100).toFixed(1)} %, ${(cached.length / secs).toFixed(1)} pictures/s (2 threads); ${s.misses.length} missed`,
        );
      } finally {
        await p.close();
      }
    }

    console.log('\n### person masks: box vs segmenter silhouette (recall, share changed outside objects)');
    const people = cached.map((c) => ({
      ...c,
      item: { ...c.item, objects: c.item.objects.filter((o) => o.label === 'person') },
    }));
    for (const o of [
      { personMask: 'box' as const },
      ...[0, 4, 8, 16].flatMap((segmentDilationPx) =>
        [0.3, 0.5].map((segmentThreshold) => ({ personMask: 'segment' as const, segmentDilationPx, segmentThreshold })),
      ),
    ]) {
      const all = await score(cached, { ...DEFAULT_OPTIONS, ...o });
      const p = await score(people, { ...DEFAULT_OPTIONS, ...o });
      console.log(
        `${JSON.stringify(o)}: all ${all.recall.toFixed(3)} / ${(all.outsideShare * 100).toFixed(1)} %; people ${p.recall.toFixed(3)}`,
      );
    }

    console.log('\n### plates on kept vehicles (classes=person): plate recall, share changed outside objects');
    const plateItems = cached.filter((c) => c.item.objects.some((o) => o.label === 'plate'));
    for (const plates of ['off', 'band', 'detect', 'both'] as const) {
      for (const plateMinScore of plates === 'detect' || plates === 'both' ? [0.3, 0.5, 0.7] : [0.5]) {
        const o = { ...DEFAULT_OPTIONS, classes: ['person' as const], plates, plateMinScore };
        const onlyPlates = plateItems.map((c) => ({
          ...c,
          item: { ...c.item, objects: c.item.objects.filter((x) => x.label === 'plate') },
        }));
        const s = await score(onlyPlates, o);
        const all = await score(cached, o);
        console.log(
          `plates=${plates} plateMinScore=${plateMinScore}: plate recall ${s.recall.toFixed(3)} (${s.overall.hit}/${s.overall.total}); whole set changed outside ${(all.outsideShare * 100).toFixed(1)} %, text boxes blurred ${cached.reduce((n, c) => n + c.dets.filter((d) => d.label === 'plate' && d.score >= plateMinScore).length, 0)}`,
        );
      }
    }

    console.log('\n### sweep (minScore x dilation, shadow 0.3): recall, share changed outside objects');
    for (const minScore of [0.1, 0.15, 0.2, 0.25, 0.3, 0.4]) {
      const cells = [];
      for (const dilation of [0, 0.05, 0.1, 0.15]) {
        const s = await score(cached, { ...DEFAULT_OPTIONS, minScore, dilation });
        cells.push(`d=${dilation}: ${s.recall.toFixed(3)} / ${(s.outsideShare * 100).toFixed(1)}%`);
      }
      console.log(`minScore ${minScore}: ${cells.join('  ')}`);
    }

    console.log('\n### video: detect every k-th frame, masks carried across (vtest frames only)');
    const vtestItems = cached.filter((c) => c.item.frame !== undefined);
    const reach = 4;
    const wanted = new Set(
      vtestItems.flatMap((c) =>
        Array.from({ length: 2 * reach + 1 }, (_, i) => c.item.frame! - reach + i).filter((f) => f >= 0),
      ),
    );
    const { dets, fps } = await vtestDetections(videoPool, wanted);
    for (const k of [1, 2, 3, 4]) {
      for (const carry of k === 1 ? [0, 1] : [1]) {
        const window = k > 1 ? Math.max(1, carry) * k : carry;
        const union = vtestItems.map((c) => {
          const all: Detection[] = [];
          for (let f = c.item.frame! - window; f <= c.item.frame! + window; f++)
            if (f >= 0 && f % k === 0) all.push(...(dets.get(f) ?? []));
          return { ...c, dets: all };
        });
        const s = await score(union, { ...DEFAULT_OPTIONS, detectEvery: k, carry });
        console.log(
          `k=${k} carry=${carry}: recall ${s.recall.toFixed(3)}, changed outside ${(s.outsideShare * 100).toFixed(1)} %`,
        );
      }
    }
    console.log(
      `\ndetection (2 worker threads): ${fps.toFixed(1)} frames/s on 768x576 vtest frames, ${stillFps.toFixed(1)} pictures/s on the set; ${load()}`,
    );
  } finally {
    await pool.close();
    await videoPool.close();
  }
}
