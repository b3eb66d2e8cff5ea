import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  anonymizeImageFile,
  anonymizeVideo,
  DetectorPool,
  formatFromPath,
  LiveAnonymizer,
  LocalDetector,
  parseOptions,
  type AnonymizeReport,
  type AnonymizerOptions,
  type Progress,
  HubCamera,
} from '../../anonymizer/index.ts';
import { SoftwareKeyStore } from '../../device/index.ts';
import { MsecError } from '../../core/errors.ts';
import type { CliIo } from '../io.ts';
import { parsePositiveInt } from '../options.ts';

interface AnonymizeFlags {
  output?: string;
  serve?: string;
  toHub?: string;
  deviceId?: string;
  enrollToken?: string;
  keysDir?: string;
  passphraseFile?: string;
  fps?: string;
  loop?: boolean;
  personMask?: string;
  inpaintModel?: string;
  size?: string;
  report?: string;
  classes?: string;
  fill?: string;
  minScore?: string;
  dilation?: string;
  shadow?: string;
  faces?: string;
  plates?: string;
  detectEvery?: string;
  detectorSize?: string;
  detector?: string;
  workers?: number;
  audio?: boolean;
  progress?: boolean;
}

function progressBar(p: Progress): string {
  const width = 24;
  const share = p.total ? Math.min(1, p.frames / p.total) : 0;
  const bar = p.total ? '#'.repeat(Math.round(share * width)).padEnd(width, '.') : '';
  const eta = p.etaSeconds === undefined ? '' : ` ETA ${Math.ceil(p.etaSeconds)}s`;
  return `\r[${bar}] frames ${p.frames}${p.total ? '/' + p.total : ''} ${p.fps.toFixed(1)} fps${eta}`;
}

function optionsFrom(f: AnonymizeFlags, video: boolean): AnonymizerOptions {
  return parseOptions({
    classes: f.classes,
    minScore: f.minScore,
    dilation: f.dilation,
    shadow: f.shadow,
    faces: f.faces,
    plates: f.plates,
    detectEvery: f.detectEvery,
    detectorSize: f.detectorSize,
    detectorModel: f.detector,
    personMask: f.personMask,
    inpaintModel: f.inpaintModel,
    // A fixed camera's video is filled from its background; a still has none.
    fill: f.fill ?? (video ? 'background' : 'inpaint'),
  });
}

function summary(r: AnonymizeReport): string {
  const totals =
    Object.entries(r.totals)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'nothing';
  return `${r.output}: ${r.frames} frame(s) in ${r.seconds.toFixed(1)} s (${r.fps.toFixed(1)} fps), removed or blurred: ${totals}`;
}

export function registerAnonymizeCommand(program: Command, io: CliIo): void {
  program
    .command('anonymize')
    .description('remove people and vehicles, blur faces and plates, in an image or a video file')
    .argument('<input>', 'JPEG, PNG or WebP image, or a video ffmpeg can read')
    .option('-o, --output <file>', 'output (.jpg/.png/.webp for images; .mp4/.mkv/.webm/.avi/.mov for video)')
    .option(
      '--serve <[host:]port>',
      'live stream input (rtsp://, http://...mjpeg): serve it anonymized as MJPEG over HTTP',
    )
    .option('--to-hub <url>', "live: publish the anonymized frames to the hub as an enrolled camera's resource")
    .option('--device-id <id>', '--to-hub: the camera device id (also its twin provider)')
    .option('--enroll-token <token>', '--to-hub: enroll the camera first with this one-time token')
    .option('--keys-dir <dir>', "--to-hub: the camera's software key store (default: ./data/device-keys/ID)")
    .option('--passphrase-file <file>', '--to-hub: key store passphrase (or env MSEC_DEVICE_PASSPHRASE)')
    .option('--fps <n>', 'live: frames a second taken from the source')
    .option('--loop', 'live from a video file: loop it, in real time, as a camera would')
    .option('--size <WxH>', 'live stream: frame size to process at', '640x480')
    .option('--report <file>', 'JSON report of what was removed per frame and class (default: OUTPUT.report.json)')
    .option('--classes <list>', 'classes to remove: person,bicycle,motorcycle,car,truck,bus')
    .option(
      '--fill <method>',
      'inpaint | background | blur | pixelate | solid (default: inpaint for images, background for video)',
    )
    .option('--min-score <n>', 'detector score threshold')
    .option('--dilation <share>', "mask growth as a share of each object's size")
    .option('--shadow <share>', "shadow wedge length as a share of the object's height (0: off)")
    .option('--faces <how>', 'visible faces: blur | pixelate | off')
    .option('--plates <how>', 'plates of kept vehicles: detect | both | band | off')
    .option('--person-mask <how>', 'person masks: box | segment (selfie segmenter silhouettes)')
    .option('--detect-every <k>', 'video: run the detector on every k-th frame')
    .option('--detector-size <px>', 'side of the square the bundled detector sees frames at (multiple of 32)')
    .option('--detector <model>', 'CenterNet model.json or ONNX detector (.onnx) to use instead of the bundled one')
    .option('--inpaint-model <model>', 'ONNX inpainter (.onnx) for --fill inpaint, instead of OpenCV')
    .option('--workers <n>', 'detection threads (default: the CPU count, at most 4)', (v) => parsePositiveInt(v))
    .option('--audio', 'keep the audio track (dropped by default)')
    .option('--progress', 'show progress even when stderr is not a terminal')
    .action(async (input: string, f: AnonymizeFlags) => {
      if (input.includes('://') || f.serve || f.toHub) return serveLive(input, f, io);
      if (!f.output) throw new MsecError('VALIDATION_FAILED', 'give the output file with -o');
      const output = f.output;
      const stillIn = formatFromPath(input) !== undefined;
      const stillOut = formatFromPath(output) !== undefined;
      if (stillIn !== stillOut)
        throw new MsecError('VALIDATION_FAILED', 'an image goes to an image file and a video to a video file');
      const options = optionsFrom(f, !stillIn);
      let report: AnonymizeReport;
      if (stillIn) {
        const detector = await LocalDetector.load(options);
        try {
          report = await anonymizeImageFile(input, output, options, detector);
        } finally {
          await detector.close();
        }
      } else {
        const workers = f.workers ?? DetectorPool.defaultSize();
        const pool = await DetectorPool.start(options, workers);
        const show = f.progress || process.stderr.isTTY;
        try {
          report = await anonymizeVideo({
            input,
            output,
            options,
            detector: pool,
            inFlight: workers,
            keepAudio: f.audio ?? false,
            ...(show ? { onProgress: (p: Progress) => process.stderr.write(progressBar(p)) } : {}),
          });
          if (show) process.stderr.write('\n');
        } finally {
          await pool.close();
        }
      }
      await writeFile(f.report ?? `${output}.report.json`, JSON.stringify(report, null, 2) + '\n');
      io.out(summary(report));
    });
}

/** `msec anonymize SOURCE --serve [host:]port` and/or `--to-hub URL`: runs until SIGINT/SIGTERM. */
async function serveLive(source: string, f: AnonymizeFlags, io: CliIo): Promise<void> {
  const isUrl = /^(rtsp|rtsps|http|https):\/\//.test(source);
  if (!isUrl && (source.includes('://') || !existsSync(source)))
    throw new MsecError('VALIDATION_FAILED', 'a live source is an rtsp:// or http(s):// URL, or a video file');
  const serve = f.serve ? /^(?:([\w.-]+):)?(\d{1,5})$/.exec(f.serve.replace(/^:/, '')) : undefined;
  if (f.serve && (!serve || Number(serve[2]) > 65535))
    throw new MsecError('VALIDATION_FAILED', '--serve takes [host:]port');
  if (!serve && !f.toHub)
    throw new MsecError('VALIDATION_FAILED', 'a live source needs --serve [host:]port or --to-hub URL');
  const size = /^(\d{2,4})x(\d{2,4})$/.exec(f.size ?? '');
  if (!size) throw new MsecError('VALIDATION_FAILED', '--size must be WxH, e.g. 640x480');
  const fps = f.fps === undefined ? undefined : Number(f.fps);
  if (fps !== undefined && !(fps > 0 && fps <= 60))
    throw new MsecError('VALIDATION_FAILED', '--fps must be from 0 to 60');
  const options = optionsFrom(f, false);
  let camera: HubCamera | undefined;
  let store: SoftwareKeyStore | undefined;
  if (f.toHub) {
    if (!f.deviceId) throw new MsecError('VALIDATION_FAILED', '--to-hub needs --device-id');
    const passphrase = f.passphraseFile
      ? readFileSync(f.passphraseFile, 'utf8').replace(/\r?\n$/, '')
      : process.env.MSEC_DEVICE_PASSPHRASE;
    if (!passphrase)
      throw new MsecError(
        'VALIDATION_FAILED',
        '--to-hub needs --passphrase-file or MSEC_DEVICE_PASSPHRASE for its keys',
      );
    store = await SoftwareKeyStore.open({
      dir: resolve(f.keysDir ?? join(process.env.MSEC_DATA_DIR ?? './data', 'device-keys', f.deviceId)),
      passphrase,
    });
    camera = await HubCamera.connect({
      hub: f.toHub,
      deviceId: f.deviceId,
      keyStore: store,
      ...(f.enrollToken ? { enrollToken: f.enrollToken } : {}),
    });
    io.err(`publishing anonymized frames to ${f.toHub} as ${f.deviceId}/camera/frame`);
  }
  const detector = await LocalDetector.load(options);
  const live = new LiveAnonymizer({
    source,
    width: Number(size[1]),
    height: Number(size[2]),
    options,
    detector,
    onEvent: (e) => io.err(e),
    ...(fps ? { fps } : {}),
    ...(!isUrl ? { inputArgs: f.loop ? ['-re', '-stream_loop', '-1'] : ['-re'] } : {}),
    ...(camera ? { onFrame: async (jpeg: Buffer) => void (await camera.publish(jpeg)) } : {}),
  });
  if (serve) {
    const port = await live.serve(Number(serve[2]), serve[1] ?? '127.0.0.1');
    io.out(`serving the anonymized stream on http://${serve[1] ?? '127.0.0.1'}:${port}/`);
  } else live.start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await live.close();
  await detector.close();
  await store?.close();
}
