import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileInput } from './file-input.ts';
import type { RecordSink } from './records.ts';
import { Registry } from './registry.ts';

const root = mkdtempSync(join(tmpdir(), 'msec-file-input-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A sink that keeps what it is given, as the spool would. */
function memorySink(): RecordSink & { events: { id: string; line: string }[] } {
  const events: { id: string; line: string }[] = [];
  return {
    events,
    async write(records) {
      for (const r of records.data.toString('utf8').trimEnd().split('\n')) {
        const rec = JSON.parse(r) as { id: string; event: unknown };
        events.push({ id: rec.id, line: JSON.stringify(rec.event) });
      }
      return records.ends.length;
    },
  };
}

function setup() {
  const dir = join(root, `case-${n++}`);
  const state = join(dir, 'state');
  const path = join(dir, 'eve.json');
  mkdirSync(state, { recursive: true });
  writeFileSync(path, '');
  const open = (sink: RecordSink) => {
    const registry = Registry.open(state);
    return {
      registry,
      input: new FileInput({ path, type: 'eve', sensor: 's', maxLineBytes: 4096, closeInactiveMs: 0 }, registry, sink),
    };
  };
  return { path, open };
}

const lines = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => JSON.stringify({ seq: from + i })).join('\n') + '\n';
const seqs = (sink: { events: { line: string }[] }) =>
  sink.events.map((e) => (JSON.parse(e.line) as { seq: number }).seq);

describe('FileInput', () => {
  it('copytruncate: lines written after the last read are recovered from the copy; ids never repeat', async () => {
    const { path, open } = setup();
    const sink = memorySink();
    const { input } = open(sink);
    appendFileSync(path, lines(0, 10));
    await input.poll();
    appendFileSync(path, lines(10, 15)); // not read yet
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, lines(15, 20));
    await input.poll();
    expect(seqs(sink)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(new Set(sink.events.map((e) => e.id)).size).toBe(20);
    expect(input.truncations).toBe(1);
    input.close();
  });

  it('a file renamed away while the agent was down is drained from its saved offset', async () => {
    const { path, open } = setup();
    const first = memorySink();
    const a = open(first);
    appendFileSync(path, lines(0, 5));
    await a.input.poll();
    a.registry.flush();
    a.input.close();
    // Down: the log rotates and both files grow.
    appendFileSync(path, lines(5, 8));
    renameSync(path, `${path}.1`);
    writeFileSync(path, lines(8, 12));
    const second = memorySink();
    const b = open(second);
    await b.input.poll();
    expect(seqs(first)).toEqual([0, 1, 2, 3, 4]);
    expect(seqs(second).sort((x, y) => x - y)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    b.input.close();
  });

  it('a truncation while down continues ids past the old content', async () => {
    const { path, open } = setup();
    const first = memorySink();
    const a = open(first);
    appendFileSync(path, lines(0, 6));
    await a.input.poll();
    a.registry.flush();
    a.input.close();
    writeFileSync(path, lines(6, 8)); // truncated and rewritten, shorter than before, no copy
    const second = memorySink();
    const b = open(second);
    await b.input.poll();
    expect(seqs(second)).toEqual([6, 7]);
    const ids = new Set([...first.events, ...second.events].map((e) => e.id));
    expect(ids.size).toBe(8);
    b.input.close();
  });
});
