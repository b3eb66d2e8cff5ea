/**
 * Done-when for the agent: a real `msec gateway agent` process ships a live eve.json through a rename
 * rotation, a copytruncate rotation, a receiver restart, a 503 spell and a kill -9 of itself; the
 * receiver (enforcing the ingest contract) ends with every event exactly once.
 */
import { appendFileSync, copyFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStatus, spawnAgent, type AgentProcess } from './helpers/agent-process.ts';
import { MonitorReceiver } from './helpers/monitor-receiver.ts';
import { waitFor } from './helpers/net.ts';

const TOKEN = 'msec_testagent.' + 'x'.repeat(32);

function eveLine(seq: number): string {
  return JSON.stringify({
    timestamp: new Date().toISOString(),
    event_type: 'alert',
    src_ip: '10.0.0.1',
    alert: { signature_id: 9100001 },
    seq,
  });
}

describe('gateway agent ships a live eve.json without loss or duplicates', () => {
  let dir: string;
  let rx: MonitorReceiver;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'msec-agent-'));
    rx = new MonitorReceiver({ token: TOKEN });
    await rx.start();
  });

  afterAll(async () => {
    for (const a of agents) await a.kill9();
    await rx.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('through rename and copytruncate rotation, a receiver restart, 503s and kill -9', async () => {
    const eve = join(dir, 'eve.json');
    const state = join(dir, 'state');
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, TOKEN + '\n');
    writeFileSync(eve, '');
    const args = [
      '--eve',
      eve,
      '--to',
      rx.url,
      '--token-file',
      tokenFile,
      '--state-dir',
      state,
      '--sensor',
      'gw-test',
      '--poll-ms',
      '50',
      '--linger-ms',
      '20',
      '--batch-events',
      '37',
    ];
    const start = () => {
      const a = spawnAgent(args);
      agents.push(a);
      return a;
    };
    let seq = 0;
    const write = (path: string, n: number) => {
      let text = '';
      for (let i = 0; i < n; i++) text += eveLine(seq++) + '\n';
      appendFileSync(path, text);
    };
    const delivered = (n: number, what: string) =>
      waitFor(async () => rx.store.size >= n, 60_000, `${n} events at the receiver (${what})`);

    let agent = start();
    write(eve, 300);
    await delivered(300, 'initial');

    // Rename rotation: the writer keeps appending to the renamed file until it reopens (HUP).
    renameSync(eve, `${eve}.1`);
    write(`${eve}.1`, 40);
    writeFileSync(eve, '');
    write(eve, 120);
    await delivered(460, 'rename rotation');

    // copytruncate: lines the agent may not have read yet are only in the copy afterwards.
    write(eve, 25);
    copyFileSync(eve, `${eve}.2`);
    truncateSync(eve, 0);
    write(eve, 60);
    await delivered(545, 'copytruncate');

    // Receiver down: the agent spools, then delivers after the restart.
    await rx.stop();
    write(eve, 200);
    await waitFor(
      async () => (readStatus(state)?.spool?.events ?? 0) > 0,
      30_000,
      'events spooled while the receiver is down',
    );
    await rx.start();
    await delivered(745, 'receiver restart');

    // 503 with retry-after, then kill -9 of the agent in the middle of a burst.
    rx.unavailable = { retryAfterS: 1 };
    write(eve, 150);
    await waitFor(async () => (rx.stats.byStatus[503] ?? 0) > 0, 30_000, 'a 503 answered');
    rx.unavailable = undefined;
    write(eve, 500);
    await waitFor(async () => rx.store.size > 745, 30_000, 'delivery resumed');
    await agent.kill9();
    write(eve, 100);
    agent = start();
    await delivered(1395, 'after kill -9');

    // Everything read is delivered; let the agent settle and prove nothing more (no stray copies) arrives.
    await waitFor(
      async () => {
        const s = readStatus(state);
        return s?.pid === agent.child.pid && s.spool.events === 0 && s.lag.bytes === 0;
      },
      30_000,
      'agent idle',
    );
    await agent.stop();
    const seqs = rx.lines().map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(rx.store.size).toBe(seq);
    expect(new Set(seqs).size).toBe(seq);
    expect(Math.min(...seqs)).toBe(0);
    expect(Math.max(...seqs)).toBe(seq - 1);
    expect(rx.stats.rejected).toBe(0);
  });
});
