import { spawn, type ChildProcess } from 'node:child_process';
import { MsecError } from '../core/errors.ts';

export interface VideoInfo {
  width: number;
  height: number;
  fps: number;
  /** Frame count from the container, if it says. */
  frames?: number;
  hasAudio: boolean;
  codec: string;
}

function run(
  cmd: string,
  args: string[],
  input?: Uint8Array,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString();
    });
    p.on('error', (err) =>
      reject(new MsecError('ANONYMIZER_FFMPEG_MISSING', `cannot run ${cmd}: ${err.message} (install ffmpeg)`)),
    );
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(input);
  });
}

/** Width, height, rate and audio of a video, from ffprobe; unreadable or video-less files are refused. */
export async function probeVideo(input: string): Promise<VideoInfo> {
  const r = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name,width,height,avg_frame_rate,r_frame_rate,nb_frames',
    '-of',
    'json',
    input,
  ]);
  if (r.code !== 0)
    throw new MsecError(
      'ANONYMIZER_VIDEO_UNREADABLE',
      `cannot read the video: ${r.stderr.trim().split('\n')[0] ?? 'ffprobe failed'}`,
    );
  const streams = (JSON.parse(r.stdout) as { streams?: Record<string, string | number>[] }).streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video');
  if (!v || !Number(v.width) || !Number(v.height))
    throw new MsecError('ANONYMIZER_VIDEO_NO_STREAM', 'the file has no video stream');
  const rate = (s: unknown) => {
    const [n, d] = String(s ?? '0/1')
      .split('/')
      .map(Number);
    return n && d ? n / d : 0;
  };
  const fps = rate(v.avg_frame_rate) || rate(v.r_frame_rate) || 25;
  const frames = Number(v.nb_frames);
  return {
    width: Number(v.width),
    height: Number(v.height),
    fps,
    codec: String(v.codec_name ?? 'unknown'),
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    ...(Number.isFinite(frames) && frames > 0 ? { frames } : {}),
  };
}

/** ffmpeg decoding `input` to raw RGB frames on stdout; `-xerror` makes a damaged file fail, not end early. */
export function spawnDecoder(input: string, extraInputArgs: string[] = []): ChildProcess {
  return spawn(
    'ffmpeg',
    [
      '-v',
      'error',
      '-xerror',
      '-nostdin',
      ...extraInputArgs,
      '-i',
      input,
      '-map',
      '0:v:0',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
}

export interface EncoderOptions {
  width: number;
  height: number;
  fps: number;
  output: string;
  /** Copy the audio of this file into the output (re-encoded to AAC). */
  audioFrom?: string;
}

/** ffmpeg encoding raw RGB frames from stdin to H.264 (or what the output's extension implies), without metadata. */
export function spawnEncoder(o: EncoderOptions, format: string): ChildProcess {
  const args = [
    '-v',
    'error',
    '-nostdin',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${o.width}x${o.height}`,
    '-r',
    String(o.fps),
    '-i',
    'pipe:0',
  ];
  if (o.audioFrom) args.push('-i', o.audioFrom, '-map', '0:v', '-map', '1:a?', '-c:a', 'aac');
  else args.push('-an');
  const codec =
    format === 'webm'
      ? ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8']
      : format === 'avi'
        ? ['-c:v', 'mjpeg', '-q:v', '4']
        : ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'];
  args.push(
    ...codec,
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-f',
    format === 'mkv' ? 'matroska' : format,
    '-y',
    o.output,
  );
  return spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
}

export const VIDEO_FORMATS = ['mp4', 'mkv', 'webm', 'avi', 'mov'] as const;

/** Kills a spawned ffmpeg and its group (it was started detached). */
export function killProcess(p: ChildProcess): void {
  if (p.exitCode !== null || p.pid === undefined) return;
  try {
    process.kill(-p.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}
