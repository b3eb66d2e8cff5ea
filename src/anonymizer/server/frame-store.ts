import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StoredFrame {
  sha256: string;
  deviceId: string;
  org: string | undefined;
  bytes: number;
  receivedAt: number;
}

/** Frames kept per camera; older ones are deleted (a camera is a feed, not an archive). */
const KEEP_PER_DEVICE = 50;

/**
 * Anonymized camera frames, content-addressed: a camera's signed reading carries `sha256:<hex>` of
 * the JPEG, and the JPEG itself lives here under that name, so a reader can check the bytes it
 * fetches against what the device signed. The index lives in memory: after a restart old frames
 * are no longer served, which suits a live feed.
 */
export class FrameStore {
  private readonly frames = new Map<string, StoredFrame>();
  private readonly byDevice = new Map<string, string[]>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  put(jpeg: Buffer, deviceId: string, org: string | undefined, now = Date.now()): StoredFrame {
    const sha256 = createHash('sha256').update(jpeg).digest('hex');
    const known = this.frames.get(sha256);
    if (known) return known;
    writeFileSync(join(this.dir, `${sha256}.jpg`), jpeg);
    const f: StoredFrame = { sha256, deviceId, org, bytes: jpeg.length, receivedAt: now };
    this.frames.set(sha256, f);
    const list = this.byDevice.get(deviceId) ?? [];
    list.push(sha256);
    this.byDevice.set(deviceId, list);
    while (list.length > KEEP_PER_DEVICE) {
      const old = list.shift()!;
      this.frames.delete(old);
      rmSync(join(this.dir, `${old}.jpg`), { force: true });
    }
    return f;
  }

  get(sha256: string): StoredFrame | undefined {
    return this.frames.get(sha256);
  }

  read(sha256: string): Buffer {
    return readFileSync(join(this.dir, `${sha256}.jpg`));
  }

  /** The newest frames of a camera, newest first. */
  latest(deviceId: string, n = 1): StoredFrame[] {
    return (this.byDevice.get(deviceId) ?? [])
      .slice(-n)
      .reverse()
      .map((s) => this.frames.get(s)!);
  }
}
