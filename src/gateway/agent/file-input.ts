import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { splitLines, type LineType } from './lines.ts';
import { RecordEncoder, type RecordSink } from './records.ts';
import type { Registry } from './registry.ts';

export interface FileInputOptions {
  path: string;
  type: LineType;
  sensor: string;
  maxLineBytes: number;
  /** A file seen for the first time starts at its end instead of its beginning. */
  fromEnd?: boolean;
  /** A rotated-away file with no growth for this long is closed. */
  closeInactiveMs: number;
  onNotice?: (what: string, details: Record<string, unknown>) => void;
}

interface Harvester {
  key: string;
  fd: number;
  path: string;
  offset: number;
  base: number;
  skipping: boolean;
  /** Up to TAIL_BYTES read just before `offset`: identifies a copytruncate copy of this file. */
  tail: Buffer;
  lastActivityMs: number;
}

const TAIL_BYTES = 64;
const CHUNK_BYTES = 256 * 1024;
/** During a long catch-up, let the shipper and timers run at least this often. */
const YIELD_EVERY_MS = 50;

/**
 * Tails one log path through rotation. Each inode gets a harvester: the file now at the path, and files
 * renamed away (drained until idle). A size below the offset is a truncation (copytruncate): the copy
 * the rotator left beside the file, if any, supplies the lines between the offset and the cut.
 */
export class FileInput {
  private readonly opts: FileInputOptions;
  private readonly registry: Registry;
  private readonly sink: RecordSink;
  private readonly harvesters = new Map<string, Harvester>();
  /** Record encoder per harvester (its id prefix holds the file's identity). */
  private readonly encoders = new Map<string, RecordEncoder>();
  private started = false;
  /** One read buffer, reused: lines leave it copied into records, so memory stays flat whatever the backlog. */
  private readonly readBuf: Buffer;
  private lastYieldMs = Date.now();
  truncations = 0;

  constructor(opts: FileInputOptions, registry: Registry, sink: RecordSink) {
    this.opts = opts;
    this.registry = registry;
    this.sink = sink;
    this.readBuf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, opts.maxLineBytes + 1));
  }

  /** Bytes in open files not yet read (the agent's lag at the source). */
  lagBytes(): number {
    let lag = 0;
    for (const h of this.harvesters.values()) {
      try {
        lag += Math.max(0, fstatSync(h.fd).size - h.offset);
      } catch {
        // closed meanwhile
      }
    }
    return lag;
  }

  async poll(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.resumeRotated();
    }
    let current: string | undefined;
    try {
      const st = statSync(this.opts.path);
      if (st.isFile()) {
        current = `${st.dev}:${st.ino}`;
        if (!this.harvesters.has(current)) this.openHarvester(current, this.opts.path, st.size);
      }
    } catch {
      // not there (between rename and re-create): the old harvesters still drain
    }
    for (const h of [...this.harvesters.values()]) {
      await this.harvest(h);
      if (h.key !== current && Date.now() - h.lastActivityMs > this.opts.closeInactiveMs) {
        closeSync(h.fd);
        this.harvesters.delete(h.key);
        this.encoders.delete(h.key);
        this.registry.delete(h.key);
      }
    }
  }

  close(): void {
    for (const h of this.harvesters.values()) closeSync(h.fd);
    this.harvesters.clear();
    this.encoders.clear();
  }

  /** On start: files renamed away while the agent was down still have unread lines. */
  private resumeRotated(): void {
    const mine = this.registry.entries().filter(([, e]) => e.path === this.opts.path);
    if (mine.length === 0) return;
    const byKey = new Map<string, string>();
    for (const name of safeReaddir(dirname(this.opts.path))) {
      const p = join(dirname(this.opts.path), name);
      try {
        const st = statSync(p);
        if (st.isFile()) byKey.set(`${st.dev}:${st.ino}`, p);
      } catch {
        // vanished
      }
    }
    for (const [key] of mine) {
      const p = byKey.get(key);
      if (p === undefined) this.registry.delete(key);
      else if (p !== this.opts.path) this.openHarvester(key, p, 0);
    }
  }

  private openHarvester(key: string, path: string, size: number): void {
    const fd = openSync(path, 'r');
    const e = this.registry.get(key);
    const start = e ? e.offset : this.opts.fromEnd ? size : 0;
    const h: Harvester = {
      key,
      fd,
      path,
      offset: start,
      base: e?.base ?? 0,
      skipping: e?.skipping ?? false,
      tail: e?.tail ? Buffer.from(e.tail, 'base64') : Buffer.alloc(0),
      lastActivityMs: Date.now(),
    };
    this.harvesters.set(key, h);
  }

  private async harvest(h: Harvester): Promise<void> {
    let size = fstatSync(h.fd).size;
    if (size < h.offset) {
      await this.truncated(h);
      size = fstatSync(h.fd).size;
    }
    await this.readRange(h, h.fd, size);
  }

  /**
   * Reads `fd` from the harvester's offset up to `end` in small chunks (their garbage dies young, so
   * memory stays flat), a bigger read only for a line longer than a chunk, and yields to the event loop
   * every 50 ms so shipping, metrics and the status file keep going during a long catch-up.
   */
  private async readRange(h: Harvester, fd: number, end: number): Promise<void> {
    while (h.offset < end) {
      const small = Math.min(end - h.offset, CHUNK_BYTES);
      let advanced = await this.emit(h, readAt(fd, h.offset, small, this.readBuf), h.offset, h.base);
      if (!advanced && small < end - h.offset) {
        advanced = await this.emit(
          h,
          readAt(fd, h.offset, Math.min(end - h.offset, this.readBuf.length), this.readBuf),
          h.offset,
          h.base,
        );
      }
      if (!advanced) return;
      if (Date.now() - this.lastYieldMs >= YIELD_EVERY_MS) {
        await new Promise((r) => setImmediate(r));
        this.lastYieldMs = Date.now();
      }
    }
  }

  /** Ships the complete lines of `buf` (read at `at`); returns false when only a partial line is there. */
  private async emit(h: Harvester, buf: Buffer, at: number, base: number): Promise<boolean> {
    const res = splitLines(buf, at, this.opts.type, this.opts.maxLineBytes, h.skipping);
    if (res.consumed === at && !res.skipping) return false;
    let encoder = this.encoders.get(h.key);
    if (!encoder) {
      encoder = new RecordEncoder(`${this.opts.sensor}:${h.key}:`, this.opts.type, this.opts.path);
      this.encoders.set(h.key, encoder);
    }
    const records = encoder.encode(buf, res.lines, base);
    const taken = await this.sink.write(records, this.opts.type, res.skipped);
    // Disk full part way: continue from the first line not taken (the skip counts of the chunk may
    // then count a bad line twice; no good line is lost or doubled).
    const partial = taken < res.lines.length;
    const upTo = partial ? res.lines[taken]!.offset : res.consumed;
    const used = upTo - at;
    h.tail = Buffer.from(buf.subarray(Math.max(0, used - TAIL_BYTES), used));
    h.offset = upTo;
    h.skipping = partial ? false : res.skipping;
    h.lastActivityMs = Date.now();
    this.save(h);
    return true;
  }

  private async truncated(h: Harvester): Promise<void> {
    this.truncations++;
    const copied = await this.drainCopy(h);
    this.opts.onNotice?.('truncated', { path: h.path, offset: h.offset, recoveredFromCopy: copied !== undefined });
    // Ids continue past everything this inode ever held, so lines written after the cut are new ids.
    h.base += Math.max(h.offset, copied ?? 0);
    h.offset = 0;
    h.skipping = false;
    h.tail = Buffer.alloc(0);
    this.save(h);
  }

  /** Finds the copy a copytruncate rotation made (same bytes before our offset) and reads it to its end. */
  private async drainCopy(h: Harvester): Promise<number | undefined> {
    if (h.offset === 0 || h.tail.length === 0) return undefined;
    const dir = dirname(h.path);
    const stem = basename(h.path);
    for (const name of safeReaddir(dir)) {
      if (name === stem || !name.startsWith(stem)) continue;
      let fd: number;
      try {
        fd = openSync(join(dir, name), 'r');
      } catch {
        continue;
      }
      try {
        const st = fstatSync(fd);
        if (!st.isFile() || st.size < h.offset || `${st.dev}:${st.ino}` === h.key) continue;
        const probe = readAt(fd, h.offset - h.tail.length, h.tail.length, Buffer.allocUnsafe(h.tail.length));
        if (!probe.equals(h.tail)) continue;
        await this.readRange(h, fd, st.size);
        return st.size;
      } finally {
        closeSync(fd);
      }
    }
    return undefined;
  }

  private save(h: Harvester): void {
    // Saved to disk by the agent's commit, after the spool is synced.
    this.registry.set(h.key, {
      path: this.opts.path,
      offset: h.offset,
      base: h.base,
      skipping: h.skipping,
      tail: h.tail.toString('base64'),
    });
  }
}

function readAt(fd: number, offset: number, len: number, buf: Buffer): Buffer {
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
