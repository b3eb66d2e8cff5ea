import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { extname } from 'node:path';
import { MsecError } from '../core/errors.ts';
import { killProcess, probeVideo, spawnDecoder, spawnEncoder, VIDEO_FORMATS, type VideoInfo } from './ffmpeg.ts';
import { writeAtomically } from './files.ts';
import type { AnonymizerOptions } from './options.ts';
import { ReportBuilder, type AnonymizeReport } from './report.ts';
import { FrameSequencer } from './sequencer.ts';
import type { ObjectDetector } from './types.ts';

export interface Progress {
  frames: number;
  total?: number;
  fps: number;
  etaSeconds?: number;
}

export interface VideoJob {
  input: string;
  output: string;
  options: AnonymizerOptions;
  detector: ObjectDetector;
  /** Detections in flight at once (the pool's size). */
  inFlight?: number;
  keepAudio?: boolean;
  onProgress?: (p: Progress) => void;
}

export function videoFormat(path: string): string {
  const ext = extname(path).slice(1).toLowerCase();
  if (!(VIDEO_FORMATS as readonly string[]).includes(ext)) {
    throw new MsecError(
      'ANONYMIZER_OUTPUT_UNSUPPORTED',
      `unsupported video output .${ext}: use ${VIDEO_FORMATS.map((f) => '.' + f).join(', ')}`,
    );
  }
  return ext;
}

/**
 * Reads exactly `size`-byte frames from a stream: each pipe chunk is copied once, straight into
 * the frame it belongs to (no growing buffer re-copied per chunk).
 */
export async function* framesOf(stream: NodeJS.ReadableStream, size: number): AsyncGenerator<Uint8Array> {
  let frame = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(size - filled, chunk.length - off);
      frame.set(chunk.subarray(off, off + n), filled);
      filled += n;
      off += n;
      if (filled === size) {
        yield frame;
        frame = new Uint8Array(size);
        filled = 0;
      }
    }
  }
}

function stderrOf(p: ChildProcess): () => string {
  let text = '';
  p.stderr?.on('data', (d: Buffer) => {
    if (text.length < 4096) text += d.toString();
  });
  return () => text.trim().split('\n').slice(-3).join(' | ');
}

/**
 * Anonymizes a video file frame by frame through two ffmpeg pipes (decode to raw RGB, encode from
 * it): memory holds a few frames, never the video. The output appears only when complete.
 */
export async function anonymizeVideo(job: VideoJob): Promise<AnonymizeReport> {
  const format = videoFormat(job.output);
  const info: VideoInfo = await probeVideo(job.input);
  const frameSize = info.width * info.height * 3;
  const report = new ReportBuilder();
  const started = performance.now();
  return writeAtomically(job.output, async (tmp) => {
    const decoder = spawnDecoder(job.input);
    const encoder = spawnEncoder(
      {
        width: info.width,
        height: info.height,
        fps: info.fps,
        output: tmp,
        ...(job.keepAudio && info.hasAudio ? { audioFrom: job.input } : {}),
      },
      format,
    );
    const decErr = stderrOf(decoder),
      encErr = stderrOf(encoder);
    const decoded = once(decoder, 'close') as Promise<[number | null]>;
    const encoded = once(encoder, 'close') as Promise<[number | null]>;
    encoder.stdin!.on('error', () => undefined); // a dead encoder is reported by its exit status
    try {
      const seq = new FrameSequencer(
        job.detector,
        job.options,
        async (index, frame, result) => {
          report.add(index, result);
          if (!encoder.stdin!.write(frame.data)) await Promise.race([once(encoder.stdin!, 'drain'), encoded]);
          const secs = (performance.now() - started) / 1000;
          const fps = report.frames / Math.max(secs, 1e-3);
          job.onProgress?.({
            frames: report.frames,
            fps,
            ...(info.frames
              ? { total: info.frames, etaSeconds: Math.max(0, (info.frames - report.frames) / Math.max(fps, 1e-3)) }
              : {}),
          });
        },
        job.inFlight,
      );
      for await (const data of framesOf(decoder.stdout!, frameSize))
        await seq.push({ width: info.width, height: info.height, data });
      const [decCode] = await decoded;
      if (decCode !== 0)
        throw new MsecError(
          'ANONYMIZER_VIDEO_DECODE_FAILED',
          `the video could not be decoded to the end (truncated or damaged?): ${decErr() || `ffmpeg exit ${decCode}`}`,
        );
      await seq.finish();
      if (report.frames === 0) throw new MsecError('ANONYMIZER_VIDEO_EMPTY', 'the video has no decodable frames');
      encoder.stdin!.end();
      const [encCode] = await encoded;
      if (encCode !== 0)
        throw new MsecError(
          'ANONYMIZER_VIDEO_ENCODE_FAILED',
          `encoding failed: ${encErr() || `ffmpeg exit ${encCode}`}`,
        );
      return report.build({
        input: job.input,
        output: job.output,
        kind: 'video',
        width: info.width,
        height: info.height,
      });
    } finally {
      killProcess(decoder);
      killProcess(encoder);
    }
  });
}
