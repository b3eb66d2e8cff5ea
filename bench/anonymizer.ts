/**
 * `npm run bench -- anonymizer [frames]`: frames per second for 640x480 video (vtest.avi scaled),
 * end to end (decode, detect, mask, fill, encode) and detection alone, beside ffmpeg decoding and
 * encoding the same clip with no processing, measured in the same run, with the machine's load.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anonymizeVideo, DetectorPool, parseOptions } from '../src/anonymizer/index.ts';
import { spawnDecoder } from '../src/anonymizer/ffmpeg.ts';
import { framesOf } from '../src/anonymizer/video.ts';

const VTEST = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';

function uptime(): string {
  return execFileSync('uptime').toString().trim();
}

/** CPU seconds this process, its threads and its finished children (ffmpeg) have used. */
function cpuSeconds(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // Fields after the command: utime, stime, cutime, cstime are 12..15 (0-based), in clock ticks.
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}

/**
 * On a shared machine wall-clock fps mostly measures the neighbours; CPU seconds per frame do not.
 * With `cores` to itself the pipeline could run at most cores / (CPU s per frame).
 */
function cpuLine(frames: number, cpu: number, cores: number): string {
  return `CPU ${((cpu / frames) * 1000).toFixed(0)} ms/frame -> at most ${((cores * frames) / cpu).toFixed(1)} fps on ${cores} free cores`;
}

export async function run(args: string[]): Promise<void> {
  const frames = Number(args[0] ?? 200);
  const dir = mkdtempSync(join(tmpdir(), 'msec-bench-anon-'));
  try {
    const clip = join(dir, 'clip.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-i',
      VTEST,
      '-vf',
      'scale=640:480',
      '-frames:v',
      String(frames),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-y',
      clip,
    ]);
    const options = parseOptions({ fill: 'background' });
    const workers = DetectorPool.defaultSize();
    console.log(
      `${frames} frames of 640x480, ${workers} detection worker(s); defaults: detectorSize ${options.detectorSize}, minScore ${options.minScore}, detectEvery ${options.detectEvery}, fill ${options.fill}`,
    );

    let t = performance.now();
    let cpu = cpuSeconds();
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-i',
      clip,
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-an',
      '-y',
      join(dir, 'ref.mp4'),
    ]);
    const refFps = frames / ((performance.now() - t) / 1000);
    console.log(
      `ffmpeg decode+encode, no processing: ${refFps.toFixed(1)} fps; ${cpuLine(frames, cpuSeconds() - cpu, 2)}  | ${uptime()}`,
    );

    const pool = await DetectorPool.start(options, workers);
    try {
      t = performance.now();
      cpu = cpuSeconds();
      const dec = spawnDecoder(clip);
      const inFlight: Promise<unknown>[] = [];
      let n = 0;
      for await (const data of framesOf(dec.stdout!, 640 * 480 * 3)) {
        inFlight.push(pool.detect({ width: 640, height: 480, data }));
        n++;
        if (inFlight.length >= workers) await Promise.all(inFlight.splice(0));
      }
      await Promise.all(inFlight);
      await new Promise((r) => (dec.exitCode !== null ? r(null) : dec.once('close', r)));
      const detCpu = cpuSeconds() - cpu;
      const detFps = n / ((performance.now() - t) / 1000);
      console.log(
        `detection alone (every frame): ${detFps.toFixed(1)} fps = ${(detFps / refFps).toFixed(3)} x ffmpeg; ${cpuLine(n, detCpu, 2)}  | ${uptime()}`,
      );

      const e2eRun = async (o: typeof options, p: DetectorPool, label: string) => {
        const t0 = performance.now();
        const c0 = cpuSeconds();
        const report = await anonymizeVideo({
          input: clip,
          output: join(dir, 'out.mp4'),
          options: o,
          detector: p,
          inFlight: workers,
        });
        const fps = report.frames / ((performance.now() - t0) / 1000);
        console.log(
          `${label}: ${fps.toFixed(1)} fps = ${(fps / refFps).toFixed(3)} x ffmpeg; ${cpuLine(report.frames, cpuSeconds() - c0, 2)}  | ${uptime()}`,
        );
      };
      await e2eRun(
        options,
        pool,
        `end to end (decode, detect every ${options.detectEvery} at ${options.detectorSize}px, mask, fill, encode)`,
      );
      // The same clip at the defaults before 2026-12-02 (CenterNet at 512, every 2nd frame), same run and load.
      const before = { ...options, detectorSize: 512, detectEvery: 2, minScore: 0.2 };
      const old = await DetectorPool.start(before, workers);
      try {
        await e2eRun(before, old, 'end to end at the previous defaults (detect every 2 at 512px)');
      } finally {
        await old.close();
      }
    } finally {
      await pool.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
