import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MsecError } from '../../core/errors.ts';
import { LocalDetector } from '../detector.ts';
import { anonymizeImage, type AnonymizedImage } from '../image.ts';
import { DEFAULT_OPTIONS, type AnonymizerOptions } from '../options.ts';
import { DetectorPool } from '../pool.ts';
import type { AnonymizeReport } from '../report.ts';
import { FrameStore } from './frame-store.ts';
import { anonymizeVideo, type Progress } from '../video.ts';

export interface Job {
  id: string;
  owner: string;
  org: string | undefined;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: Progress;
  error?: { code: string; message: string };
  report?: Omit<AnonymizeReport, 'input' | 'output' | 'perFrame'>;
  output: string;
  createdAt: number;
}

const MAX_JOBS = 100;

/**
 * What the HTTP routes drive: one detector for stills (loaded on first use) and a queue of video
 * jobs run one at a time by a worker thread, their files in the data directory.
 */
export class AnonymizerService {
  private still: Promise<LocalDetector> | undefined;
  private pool: Promise<DetectorPool> | undefined;
  private readonly jobs = new Map<string, Job>();
  private queue: Promise<void> = Promise.resolve();
  private readonly dir: string;

  constructor(
    dataDir: string,
    readonly options: AnonymizerOptions = DEFAULT_OPTIONS,
  ) {
    this.dir = join(dataDir, 'anonymizer');
    this.frames = new FrameStore(join(this.dir, 'frames'));
  }

  /** Anonymized frames published by cameras (`msec anonymize SOURCE --to-hub`). */
  readonly frames: FrameStore;

  async image(bytes: Uint8Array, options: AnonymizerOptions): Promise<AnonymizedImage> {
    this.still ??= LocalDetector.load({ ...this.options, faces: 'blur' });
    const detector = await this.still;
    return anonymizeImage(bytes, options, detector);
  }

  /** Stores the upload and queues it; the job's progress is polled. */
  submit(video: Uint8Array, owner: string, org: string | undefined, options: AnonymizerOptions): Job {
    if (this.jobs.size >= MAX_JOBS) this.evictFinished();
    if (this.jobs.size >= MAX_JOBS)
      throw new MsecError('ANONYMIZER_BUSY', 'too many video jobs: try again later', { status: 503 });
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const id = randomUUID();
    const input = join(this.dir, `${id}.in`);
    writeFileSync(input, video, { mode: 0o600 });
    const job: Job = {
      id,
      owner,
      org,
      status: 'queued',
      progress: { frames: 0, fps: 0 },
      output: join(this.dir, `${id}.mp4`),
      createdAt: Date.now(),
    };
    this.jobs.set(id, job);
    this.queue = this.queue.then(() => this.run(job, input, options));
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  private async run(job: Job, input: string, options: AnonymizerOptions): Promise<void> {
    job.status = 'running';
    try {
      this.pool ??= DetectorPool.start(this.options, 1);
      const detector = await this.pool;
      const {
        perFrame: _perFrame,
        input: _in,
        output: _out,
        ...report
      } = await anonymizeVideo({
        input,
        output: job.output,
        options,
        detector,
        inFlight: 1,
        onProgress: (p) => {
          job.progress = p;
        },
      });
      job.report = report;
      job.status = 'done';
    } catch (err) {
      const e = err instanceof MsecError ? err : new MsecError('ANONYMIZER_JOB_FAILED', (err as Error).message);
      job.error = { code: e.code, message: e.message };
      job.status = 'failed';
    } finally {
      rmSync(input, { force: true });
    }
  }

  private evictFinished(): void {
    const done = [...this.jobs.values()]
      .filter((j) => j.status === 'done' || j.status === 'failed')
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const j of done.slice(0, Math.max(1, done.length >> 1))) {
      rmSync(j.output, { force: true });
      this.jobs.delete(j.id);
    }
  }

  async close(): Promise<void> {
    await (await this.still?.catch(() => undefined))?.close();
    await (await this.pool?.catch(() => undefined))?.close();
  }
}
