/**
 * Bad input and a full disk, with a real `msec gateway agent` process: partial lines, non-JSON, huge
 * lines, binary garbage and NUL runs are counted and skipped without blocking the lines after them;
 * a spool on a full disk (a small tmpfs this test mounts) pauses reading with GATEWAY_SPOOL_DISK_FULL
 * and loses nothing once the receiver drains it.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStatus, spawnAgent, type AgentProcess } from './helpers/agent-process.ts';
import { MonitorReceiver } from './helpers/monitor-receiver.ts';
import { waitFor } from './helpers/net.ts';

const TOKEN = 'msec_input.' + 'i'.repeat(32);
const line = (i: number, pad = 0) => JSON.stringify({ event_type: 'flow', seq: i, pad: 'p'.repeat(pad) });

describe('gateway agent input edge cases', () => {
  let dir: string;
  let mnt: string | undefined;
  const agents: AgentProcess[] = [];
  const receivers: MonitorReceiver[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'msec-agent-input-'));
    writeFileSync(join(dir, 'token'), TOKEN);
  });
  afterAll(async () => {
    for (const a of agents) await a.kill9();
    for (const r of receivers) await r.stop();
    if (mnt) execFileSync('umount', ['-l', mnt]);
    rmSync(dir, { recursive: true, force: true });
  });

  const seqs = (rx: MonitorReceiver) =>
    rx
      .lines()
      .map((l) => (JSON.parse(l) as { seq: number }).seq)
      .sort((a, b) => a - b);

  it('counts and skips bad lines, waits for partial ones, and never blocks the good lines after them', async () => {
    const rx = new MonitorReceiver({ token: TOKEN });
    await rx.start();
    receivers.push(rx);
    const eve = join(dir, 'bad.json');
    writeFileSync(eve, '');
    const state = join(dir, 'bad-state');
    const a = spawnAgent([
      '--eve',
      eve,
      '--to',
      rx.url,
      '--token-file',
      join(dir, 'token'),
      '--state-dir',
      state,
      '--sensor',
      'gw-in',
      '--poll-ms',
      '30',
      '--linger-ms',
      '5',
      '--max-line-bytes',
      '4096',
    ]);
    agents.push(a);
    appendFileSync(eve, line(0) + '\n' + 'this is not json\n');
    appendFileSync(
      eve,
      Buffer.concat([Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d, 0x0a]), Buffer.from(line(1) + '\n')]),
    ); // invalid UTF-8, then a good line
    appendFileSync(eve, '{"huge":"' + 'h'.repeat(20_000) + '"}\n' + line(2) + '\n');
    appendFileSync(eve, Buffer.concat([Buffer.alloc(64), Buffer.from(line(3) + '\n')])); // NUL run of a copytruncate hole
    const last = line(4);
    appendFileSync(eve, last.slice(0, 10)); // a partial line: must wait for its newline
    await waitFor(async () => rx.store.size === 4, 30_000, 'the four complete good lines');
    await waitFor(async () => readStatus(state)?.lag?.bytes === 10, 30_000, 'partial line pending');
    appendFileSync(eve, last.slice(10) + '\n');
    await waitFor(async () => rx.store.size === 5, 30_000, 'the completed line');
    expect(seqs(rx)).toEqual([0, 1, 2, 3, 4]);
    await waitFor(async () => readStatus(state)?.skipped?.huge === 1, 10_000, 'status written');
    expect(readStatus(state).skipped).toEqual({ huge: 1, binary: 1, not_json: 1, empty: 0 });
    expect(rx.stats.rejected).toBe(0);
  });

  it('on a full spool disk: says so with GATEWAY_SPOOL_DISK_FULL, pauses reading, and loses nothing', async () => {
    mnt = join(dir, 'small-disk');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    const rx = new MonitorReceiver({ token: TOKEN });
    await rx.start();
    receivers.push(rx);
    await rx.stop(); // down: everything read goes to the spool
    const eve = join(dir, 'full.json');
    const total = 6000; // about 3 MiB, three times the disk
    writeFileSync(eve, Array.from({ length: total }, (_, i) => line(i, 400)).join('\n') + '\n');
    const a = spawnAgent([
      '--eve',
      eve,
      '--to',
      rx.url,
      '--token-file',
      join(dir, 'token'),
      '--state-dir',
      join(mnt, 'state'),
      '--sensor',
      'gw-full',
      '--poll-ms',
      '30',
      '--linger-ms',
      '5',
    ]);
    agents.push(a);
    await waitFor(async () => a.output().includes('GATEWAY_SPOOL_DISK_FULL'), 60_000, 'disk-full error reported');
    expect(a.child.exitCode).toBe(null);
    await rx.start();
    await waitFor(async () => rx.store.size === total, 120_000, `all ${total} delivered after the disk drained`);
    expect(seqs(rx)).toEqual(Array.from({ length: total }, (_, i) => i));
  }, 180_000);
});
