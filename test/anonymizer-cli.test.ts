import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMsec } from './helpers/cli.ts';

const VTEST = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
const PERSON = '/usr/share/darknet/data/person.jpg';

describe('msec anonymize', () => {
  let dir: string;
  let clip: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'msec-anon-cli-'));
    clip = join(dir, 'clip.mp4');
    // 12 frames of vtest.avi from 5 s in, where people walk, with a silent audio track.
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-ss',
      '5',
      '-i',
      VTEST,
      '-f',
      'lavfi',
      '-i',
      'anullsrc=r=8000:cl=mono',
      '-frames:v',
      '12',
      '-shortest',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-c:a',
      'aac',
      '-metadata',
      'location=+35.33+139.49/',
      '-y',
      clip,
    ]);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('anonymizes a video file: every frame out, people removed, a report per frame, no audio, no metadata', async () => {
    const out = join(dir, 'out.mp4');
    const r = await runMsec(['anonymize', clip, '-o', out, '--workers', '1', '--progress'], { timeoutMs: 240_000 });
    expect(r.stderr).toContain('frames 12/12');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(`${out}.report.json`, 'utf8')) as {
      frames: number;
      totals: Record<string, number>;
      perFrame: { frame: number; removed: Record<string, number> }[];
    };
    expect(report.frames).toBe(12);
    expect(report.perFrame.map((f) => f.frame)).toEqual([...Array(12).keys()]);
    expect(report.totals.person).toBeGreaterThanOrEqual(12);
    const probe = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', out]).toString(),
    ) as { streams: { codec_type: string; nb_frames?: string }[]; format: { tags?: Record<string, string> } };
    expect(probe.streams.map((s) => s.codec_type)).toEqual(['video']);
    expect(Number(probe.streams[0]!.nb_frames)).toBe(12);
    expect(JSON.stringify(probe.format.tags ?? {})).not.toContain('139.49');
    // The output differs from the input where people were and is left nearly alone elsewhere.
    const frame = (f: string) =>
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-i',
        f,
        '-frames:v',
        '1',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        'pipe:1',
      ]);
    const a = frame(clip),
      b = frame(out);
    let changed = 0;
    for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 40) changed++;
    expect(changed / a.length).toBeGreaterThan(0.002);
    expect(changed / a.length).toBeLessThan(0.2);
  }, 300_000);

  it('refuses a truncated video with a stable code and leaves no output behind', async () => {
    // Eight frames of Motion JPEG in AVI, cut in the middle of a frame: its header still reads.
    const broken = join(dir, 'broken.avi');
    execFileSync('ffmpeg', ['-v', 'error', '-i', VTEST, '-frames:v', '8', '-c:v', 'mjpeg', '-y', broken]);
    truncateSync(broken, Math.floor(statSync(broken).size * 0.55));
    const out = join(dir, 'broken-out.mp4');
    const r = await runMsec(['anonymize', broken, '-o', out, '--workers', '1'], { timeoutMs: 280_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*(truncated|damaged|decoded)/m);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  }, 300_000);

  it('refuses files that are not videos, and bad options, with clear one-line errors', async () => {
    const junk = join(dir, 'junk.mp4');
    writeFileSync(junk, 'this is not a video');
    const r = await runMsec(['anonymize', junk, '-o', join(dir, 'x.mp4')], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot read the video/m);
    const bad = await runMsec(['anonymize', PERSON, '-o', join(dir, 'x.png'), '--fill', 'paint'], {
      timeoutMs: 120_000,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: fill must be one of/m);
    expect(existsSync(join(dir, 'x.png'))).toBe(false);
  }, 240_000);

  it('anonymizes a JPEG: the person is gone, the size kept, the EXIF dropped', async () => {
    const input = join(dir, 'person-exif.jpg');
    await sharp(PERSON)
      .withExif({ IFD0: { Artist: 'a passer-by' } })
      .toFile(input);
    const out = join(dir, 'person.webp');
    const r = await runMsec(['anonymize', input, '-o', out, '--fill', 'solid'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['webp', 640, 424, undefined]);
    // The labelled person (eval/labels: 186,109 89x266) is grey now.
    const { data } = await sharp(out)
      .extract({ left: 200, top: 150, width: 60, height: 150 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    let grey = 0;
    for (let i = 0; i < data.length; i += 3)
      if (Math.abs(data[i]! - 128) < 12 && Math.abs(data[i + 1]! - 128) < 12 && Math.abs(data[i + 2]! - 128) < 12)
        grey++;
    expect(grey / (data.length / 3)).toBeGreaterThan(0.9);
  }, 180_000);
});
