import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { MsecError, isMsecError } from '../../core/errors.ts';
import { fsyncDir, writeFileAtomic } from './atomic-file.ts';
import { recordStart, type RecordBatch } from './records.ts';
import { countRecords, fittingPrefix, fittingSuffix, recordEnds } from './spool-records.ts';

/** What to do when the spool holds `maxBytes`: wait for the receiver, or drop (counted) the newest or oldest. */
export type SpoolFullPolicy = 'block' | 'keep-oldest' | 'keep-newest';
export const SPOOL_FULL_POLICIES: readonly SpoolFullPolicy[] = ['block', 'keep-oldest', 'keep-newest'];

export interface SpoolOptions {
  maxBytes: number;
  segmentBytes?: number;
  whenFull: SpoolFullPolicy;
  /** fsync inside every append (default: only on sync(), which the agent calls before saving offsets). */
  syncEachAppend?: boolean;
  /** Called once each time the spool becomes full (and for every drop), so nothing is dropped silently. */
  onFull?: (info: { policy: SpoolFullPolicy; dropped: number }) => void;
}

/** A run of spooled records as it lies on disk: each record one NDJSON line of the wire form (records.ts). */
export interface SpoolBatch {
  seq: number;
  startOffset: number;
  endOffset: number;
  data: Buffer;
  /** End (exclusive, after the newline) of each record within `data`. */
  ends: number[];
}

interface Segment {
  seq: number;
  size: number;
  records: number;
}

interface Cursor {
  seq: number;
  offset: number;
  /** Records of the head segment before `offset`. */
  records: number;
}

const SEGMENT_RE = /^seg-(\d{12})\.ndjson$/;
const CURSOR_SAVE_MS = 1000;
const segName = (seq: number) => `seg-${String(seq).padStart(12, '0')}.ndjson`;

/**
 * A bounded on-disk FIFO of NDJSON records in numbered segment files. Appends are durable after sync()
 * (the agent syncs before it saves source offsets); the read cursor is persisted atomically at most
 * every second, so a crash replays at most the batches of that second (the receiver drops them as
 * duplicates). Segments wholly behind the cursor are deleted.
 */
export class Spool {
  readonly dir: string;
  private readonly opts: Required<Omit<SpoolOptions, 'onFull'>> & Pick<SpoolOptions, 'onFull'>;
  private segments: Segment[] = [];
  private cursor: Cursor = { seq: 1, offset: 0, records: 0 };
  private activeFd = -1;
  private waiters: (() => void)[] = [];
  private spaceWaiters: (() => void)[] = [];
  private full = false;
  private unsynced = false;
  private cursorDirty = false;
  private cursorSavedMs = 0;
  droppedTotal = 0;

  private constructor(dir: string, opts: SpoolOptions) {
    this.dir = dir;
    this.opts = {
      segmentBytes: Math.max(64 * 1024, Math.min(16 * 1024 * 1024, Math.floor(opts.maxBytes / 8))),
      syncEachAppend: false,
      ...opts,
    };
  }

  static open(dir: string, opts: SpoolOptions): Spool {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const s = new Spool(dir, opts);
    s.recover();
    return s;
  }

  /** Records waiting to be shipped. */
  get events(): number {
    return this.segments.reduce((n, s) => n + s.records, 0) - this.cursor.records;
  }

  /** Bytes waiting to be shipped. */
  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0) - this.cursor.offset;
  }

  /**
   * Appends records (durable at the next sync()). Returns how many of them, from the first, were taken:
   * written, or dropped (and counted) by the full-spool policy. Fewer than all only when the disk filled
   * up part way; GATEWAY_SPOOL_DISK_FULL is thrown when not even the first record fits on the disk.
   */
  async append(records: RecordBatch): Promise<number> {
    const count = records.ends.length;
    let from = 0;
    /** Writes a prefix of the `n` records at `from`, as long as the disk allows; false when the disk stopped it. */
    const write = (n: number): boolean => {
      try {
        const w = this.writeSome(records, from, n);
        from += w;
        return w === n;
      } catch (err) {
        if (from > 0 && isMsecError(err) && err.code === 'GATEWAY_SPOOL_DISK_FULL') return false;
        throw err;
      }
    };
    const drop = (n: number) => {
      this.countDrop(n);
      from += n;
    };
    while (from < count) {
      if (this.activeFd < 0) throw new MsecError('GATEWAY_SPOOL_CLOSED', 'the spool is closed');
      const free = this.opts.maxBytes - this.bytes;
      const size = records.data.length - recordStart(records, from);
      if (size <= free) {
        if (!write(count - from)) return from;
        this.full = false;
        return from;
      }
      const fit = fittingPrefix(records, from, free);
      if (this.opts.whenFull === 'keep-newest') {
        // Make room by dropping the oldest segments; what cannot fit even in an empty spool is dropped too.
        const need = size - free;
        if (this.dropOldest(need) >= need) continue;
        if (this.events === 0) drop(count - from - fittingSuffix(records, from, this.opts.maxBytes));
        continue;
      }
      if (fit > 0 && !write(fit)) return from;
      if (this.opts.whenFull === 'keep-oldest') {
        drop(count - from);
        return from;
      }
      if (fit === 0 && this.events === 0) {
        // A record larger than the whole spool can never be stored: counted and dropped.
        drop(1);
        continue;
      }
      // block: the caller (a reader) waits, its source stays where it is.
      if (!this.full) {
        this.full = true;
        this.opts.onFull?.({ policy: 'block', dropped: 0 });
      }
      await new Promise<void>((r) => this.spaceWaiters.push(r));
    }
    return from;
  }

  /** Writes the longest prefix of the `n` records at `from` the disk takes (halving on ENOSPC); throws if not even one. */
  private writeSome(records: RecordBatch, from: number, n: number): number {
    const start = recordStart(records, from);
    for (;;) {
      try {
        this.write(records.data.subarray(start, records.ends[from + n - 1]!), n);
        return n;
      } catch (err) {
        if (n === 1 || !(isMsecError(err) && err.code === 'GATEWAY_SPOOL_DISK_FULL')) throw err;
        n = Math.ceil(n / 2);
      }
    }
  }

  /**
   * Makes every appended record durable (fsync). Whoever records how far a source has been read must
   * call this first, so that record never runs ahead of the spool.
   */
  sync(): void {
    if (this.cursorDirty) this.saveCursor(true);
    if (!this.unsynced || this.activeFd < 0) return;
    try {
      fsyncSync(this.activeFd);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new MsecError(
        code === 'ENOSPC' || code === 'EDQUOT' ? 'GATEWAY_SPOOL_DISK_FULL' : 'GATEWAY_SPOOL_WRITE_FAILED',
        `spool fsync failed (${this.dir}): ${(err as Error).message}`,
        { cause: err },
      );
    }
    this.unsynced = false;
  }

  /** The oldest records not yet acknowledged, bounded by count and bytes (at least one record). */
  peek(maxEvents: number, maxBytes: number): SpoolBatch | undefined {
    for (;;) {
      const head = this.segments[0];
      if (!head) return undefined;
      if (this.cursor.offset >= head.size) {
        if (this.segments.length === 1) return undefined;
        this.removeHead();
        continue;
      }
      const start = this.cursor.offset;
      let len = Math.min(head.size - start, maxBytes);
      let buf = this.readAt(head.seq, start, len);
      let ends = recordEnds(buf, maxEvents);
      while (ends.length === 0 && len < head.size - start) {
        // A single record larger than maxBytes: read up to its newline; the receiver will refuse it (413).
        len = Math.min(head.size - start, len * 2);
        buf = this.readAt(head.seq, start, len);
        ends = recordEnds(buf, 1);
      }
      if (ends.length === 0) return undefined;
      const end = ends[ends.length - 1]!;
      return { seq: head.seq, startOffset: start, endOffset: start + end, data: buf.subarray(0, end), ends };
    }
  }

  /** Marks a peeked batch as delivered (durably). A batch whose records were dropped meanwhile is ignored. */
  ack(batch: SpoolBatch): void {
    if (batch.seq !== this.cursor.seq || batch.startOffset !== this.cursor.offset) return;
    this.cursor = { seq: batch.seq, offset: batch.endOffset, records: this.cursor.records + batch.ends.length };
    const head = this.segments[0]!;
    if (this.cursor.offset >= head.size) {
      // Wholly delivered: delete it (rolling a fresh active segment first if it is the only one), so a
      // drained spool gives its disk space back.
      if (this.segments.length === 1 && this.activeFd >= 0) {
        try {
          this.newSegment(head.seq + 1);
        } catch {
          // no room even for an empty file: the next ack tries again
        }
      }
      if (this.segments.length > 1) this.removeHead();
      else this.saveCursor();
    } else this.saveCursor();
    this.wakeSpace();
  }

  /** Resolves when records are available or after `timeoutMs`. */
  waitForData(timeoutMs: number): Promise<void> {
    if (this.events > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, timeoutMs);
      const waiters = this.waiters;
      function done() {
        clearTimeout(t);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  close(): void {
    if (this.activeFd >= 0) {
      try {
        this.sync();
      } catch {
        // the registry was not saved past these records either
      }
      closeSync(this.activeFd);
    }
    this.activeFd = -1;
    this.wakeSpace();
  }

  private write(data: Buffer, count: number): void {
    let active = this.segments[this.segments.length - 1]!;
    if (active.size > 0 && active.size + data.length > this.opts.segmentBytes) active = this.newSegment(active.seq + 1);
    try {
      let off = 0;
      while (off < data.length) off += writeSync(this.activeFd, data, off, data.length - off);
      if (this.opts.syncEachAppend) fsyncSync(this.activeFd);
    } catch (err) {
      // Leave the segment as it was: a half record would be the start of a corrupt one.
      try {
        ftruncateSync(this.activeFd, active.size);
      } catch {
        // the disk may refuse even this; recovery truncates to the last newline
      }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        throw new MsecError(
          'GATEWAY_SPOOL_DISK_FULL',
          `spool disk is full (${this.dir}); reading paused, nothing read is lost`,
          { cause: err },
        );
      }
      throw new MsecError('GATEWAY_SPOOL_WRITE_FAILED', `spool write failed (${this.dir}): ${(err as Error).message}`, {
        cause: err,
      });
    }
    active.size += data.length;
    active.records += count;
    this.unsynced = true;
    for (const w of this.waiters.splice(0)) w();
  }

  private countDrop(n: number): void {
    if (n <= 0) return;
    this.droppedTotal += n;
    this.opts.onFull?.({ policy: this.opts.whenFull, dropped: n });
  }

  /** Drops whole oldest segments (sealing the active one if it is the only one). Returns bytes freed. */
  private dropOldest(need: number): number {
    let freed = 0;
    while (freed < need && this.events > 0) {
      if (this.segments.length === 1) this.newSegment(this.segments[0]!.seq + 1);
      const head = this.segments[0]!;
      freed += head.size - this.cursor.offset;
      this.countDrop(head.records - this.cursor.records);
      this.removeHead();
    }
    return freed;
  }

  private removeHead(): void {
    const head = this.segments.shift()!;
    try {
      unlinkSync(join(this.dir, segName(head.seq)));
    } catch {
      // already gone
    }
    this.cursor = { seq: this.segments[0]!.seq, offset: 0, records: 0 };
    this.saveCursor();
  }

  private newSegment(seq: number): Segment {
    if (this.activeFd >= 0) {
      this.sync();
      closeSync(this.activeFd);
    }
    this.activeFd = openSync(join(this.dir, segName(seq)), 'a', 0o600);
    fsyncDir(this.dir);
    const seg = { seq, size: 0, records: 0 };
    this.segments.push(seg);
    return seg;
  }

  /**
   * Persists the read cursor, at most every CURSOR_SAVE_MS (and on sync/close, which the agent runs
   * every second): a cursor that lags only makes a crash re-send batches the receiver already has (duplicates it drops), never skip one. If the
   * disk refuses, the cursor likewise stays ahead in memory only.
   */
  private saveCursor(force = false): void {
    if (!force && Date.now() - this.cursorSavedMs < CURSOR_SAVE_MS) {
      this.cursorDirty = true;
      return;
    }
    this.cursorDirty = false;
    this.cursorSavedMs = Date.now();
    try {
      writeFileAtomic(
        join(this.dir, 'cursor.json'),
        JSON.stringify({ seq: this.cursor.seq, offset: this.cursor.offset }),
      );
    } catch {
      // retried with the next ack
    }
  }

  private readAt(seq: number, offset: number, len: number): Buffer {
    const fd = openSync(join(this.dir, segName(seq)), 'r');
    try {
      const buf = Buffer.allocUnsafe(len);
      let got = 0;
      while (got < len) {
        const n = readSync(fd, buf, got, len - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  }

  private wakeSpace(): void {
    for (const w of this.spaceWaiters.splice(0)) w();
  }

  /** Rebuilds the in-memory index from the files: sizes, record counts, a torn last record cut off. */
  private recover(): void {
    const seqs = readdirSync(this.dir)
      .map((f) => SEGMENT_RE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    let cursor: { seq: number; offset: number } = { seq: seqs[0] ?? 1, offset: 0 };
    const cursorPath = join(this.dir, 'cursor.json');
    if (existsSync(cursorPath)) {
      try {
        const c = JSON.parse(readFileSync(cursorPath, 'utf8')) as { seq: number; offset: number };
        if (Number.isSafeInteger(c.seq) && Number.isSafeInteger(c.offset)) cursor = c;
      } catch {
        // a torn cursor cannot happen (atomic rename); an edited one falls back to the oldest segment
      }
    }
    for (const seq of seqs) {
      const path = join(this.dir, segName(seq));
      if (seq < cursor.seq) {
        unlinkSync(path);
        continue;
      }
      const fd = openSync(path, 'r+');
      try {
        const { records, lastNewlineEnd, before } = countRecords(fd, seq === cursor.seq ? cursor.offset : 0);
        if (lastNewlineEnd < fstatSync(fd).size) ftruncateSync(fd, lastNewlineEnd);
        this.segments.push({ seq, size: lastNewlineEnd, records });
        if (seq === cursor.seq) this.cursor = { seq, offset: Math.min(cursor.offset, lastNewlineEnd), records: before };
      } finally {
        closeSync(fd);
      }
    }
    if (this.segments.length === 0) {
      this.newSegment(Math.max(cursor.seq, 1));
      this.cursor = { seq: this.segments[0]!.seq, offset: 0, records: 0 };
      return;
    }
    if (this.cursor.seq !== this.segments[0]!.seq) this.cursor = { seq: this.segments[0]!.seq, offset: 0, records: 0 };
    const last = this.segments[this.segments.length - 1]!;
    this.activeFd = openSync(join(this.dir, segName(last.seq)), 'a', 0o600);
  }
}
