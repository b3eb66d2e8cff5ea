import { isUtf8 } from 'node:buffer';

/** The kinds of line log the agent ships (CONTRACTS.md section 1). */
export type LineType = 'eve' | 'auth' | 'syslog' | 'json';
export const LINE_TYPES: readonly LineType[] = ['eve', 'auth', 'syslog', 'json'];

/** Why a line was not shipped. */
export type SkipReason = 'huge' | 'binary' | 'not_json' | 'empty';

export interface Line {
  /** Byte offset of the line start within the chunk's stream (chunk base + index). */
  offset: number;
  /** The line's bytes are `chunk[start, end)` (no newline, no CR). */
  start: number;
  end: number;
  /** The decoded line, for the types shipped as text (auth, syslog); eve/json lines stay bytes. */
  text?: string;
}

export interface SplitResult {
  lines: Line[];
  skipped: Partial<Record<SkipReason, number>>;
  /** Stream offset up to which bytes are consumed (just past the last newline, or past skipped bytes). */
  consumed: number;
  /** True when the chunk ended inside a line longer than the limit: the rest of it is skipped too. */
  skipping: boolean;
}

/**
 * Splits a chunk of a line log into complete lines. A trailing partial line is left unconsumed, so the
 * caller reads it again once its newline arrives; a line longer than `maxLineBytes` is skipped (and
 * counted) without ever being held whole in memory.
 */
export function splitLines(
  chunk: Buffer,
  base: number,
  type: LineType,
  maxLineBytes: number,
  skippingAtStart: boolean,
): SplitResult {
  const lines: Line[] = [];
  const skipped: Partial<Record<SkipReason, number>> = {};
  const skip = (r: SkipReason) => (skipped[r] = (skipped[r] ?? 0) + 1);
  let pos = 0;
  let skipping = skippingAtStart;
  for (;;) {
    const nl = chunk.indexOf(10, pos);
    if (nl < 0) break;
    if (skipping) {
      // The tail of a huge line: counted when it started.
      skipping = false;
    } else if (nl - pos > maxLineBytes) {
      skip('huge');
    } else {
      const verdict = lineAt(chunk, base, pos, nl, type);
      if (typeof verdict === 'string') skip(verdict);
      else lines.push(verdict);
    }
    pos = nl + 1;
  }
  let consumed = base + pos;
  if (!skipping && chunk.length - pos > maxLineBytes) {
    // No newline within the limit: count the line now and skip until its newline.
    skip('huge');
    skipping = true;
  }
  if (skipping) consumed = base + chunk.length;
  return { lines, skipped, consumed, skipping };
}

function lineAt(chunk: Buffer, base: number, start: number, end: number, type: LineType): Line | SkipReason {
  // NUL runs appear where a writer without O_APPEND continues after copytruncate (a sparse hole).
  while (start < end && chunk[start] === 0) start++;
  if (end > start && chunk[end - 1] === 13) end--;
  if (end === start) return 'empty';
  const bytes = chunk.subarray(start, end);
  if (!isUtf8(bytes)) return 'binary';
  if (type === 'eve' || type === 'json') {
    // A cheap shape check; the receiver parses fully and rejects what is still not JSON. The line
    // stays bytes: it is shipped as it is, never decoded here.
    if (bytes[0] !== 0x7b || bytes[bytes.length - 1] !== 0x7d) return 'not_json';
    return { offset: base + start, start, end, text: undefined };
  }
  const text = bytes.toString('utf8');
  if (/[\u0000-\u0008\u000e-\u001f]/.test(text)) return 'binary';
  return { offset: base + start, start, end, text };
}
