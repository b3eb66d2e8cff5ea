/**
 * The agent against the contract-enforcing receiver: 413 halving, per-item rejects, 401 with slow
 * retries, gzip, Prometheus metrics, socket input; every case ends with each good event stored once.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentOptions, type RunningAgent } from '../src/gateway/index.ts';
import { recordBatch } from '../src/gateway/agent/records.ts';
import { Spool } from '../src/gateway/agent/spool.ts';
import { MonitorReceiver } from './helpers/monitor-receiver.ts';
import { waitFor } from './helpers/net.ts';

const TOKEN = 'msec_contract.' + 'c'.repeat(32);
const line = (i: number) => JSON.stringify({ event_type: 'dns', seq: i, dns: { rrname: `host${i}.example` } });

describe('gateway agent against the ingest contract', () => {
  let dir: string;
  const running: RunningAgent[] = [];
  const receivers: MonitorReceiver[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'msec-agent-contract-'));
  });
  afterEach(async () => {
    for (const a of running.splice(0)) await a.stop();
    for (const r of receivers.splice(0)) await r.stop();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function setup(
    name: string,
    rxOpts: { maxEvents?: number; maxBytes?: number; ndjson?: boolean } = {},
    agentOpts: Partial<AgentOptions> = {},
  ) {
    const rx = new MonitorReceiver({ token: TOKEN, ...rxOpts });
    await rx.start();
    receivers.push(rx);
    const eve = join(dir, `${name}.json`);
    writeFileSync(eve, '');
    const agent = await startAgent({
      stateDir: join(dir, `${name}-state`),
      sensor: 'gw-c',
      version: '0.1.0',
      inputs: [{ kind: 'file', path: eve, type: 'eve' }],
      to: new URL(rx.url),
      token: TOKEN,
      pollMs: 20,
      lingerMs: 5,
      ...agentOpts,
    });
    running.push(agent);
    return { rx, eve, agent };
  }
  const seqs = (rx: MonitorReceiver) =>
    rx
      .lines()
      .map((l) => (JSON.parse(l) as { seq: number }).seq)
      .sort((a, b) => a - b);
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('ships NDJSON by default, and the JSON form to a receiver that answers 415 to it, saying so once', async () => {
    const { rx, eve, agent } = await setup('ndjson');
    appendFileSync(eve, upTo(50).map(line).join('\n') + '\n');
    await waitFor(async () => rx.store.size === 50, 30_000, '50 delivered');
    expect(rx.stats.byForm).toEqual({ ndjson: rx.stats.batches });
    expect(seqs(rx)).toEqual(upTo(50));
    // The raw eve line is what arrives: the agent never re-serialised it.
    expect(rx.lines()[0]).toBe(line(0));
    expect(agent.health.snapshot().wireForm).toBe('ndjson');

    const logs: { level: string; msg: string }[] = [];
    const old = await setup('old-receiver', { ndjson: false }, { log: (level, msg) => logs.push({ level, msg }) });
    appendFileSync(old.eve, upTo(120).map(line).join('\n') + '\n');
    await waitFor(async () => old.rx.store.size === 120, 30_000, '120 delivered in the JSON form');
    expect(old.rx.stats.byStatus[415]).toBe(1);
    expect(old.rx.stats.byForm).toEqual({ json: old.rx.stats.batches });
    expect(old.rx.lines()).toEqual(upTo(120).map(line));
    expect(logs.filter((l) => /NDJSON/.test(l.msg))).toEqual([
      { level: 'warn', msg: 'receiver does not take NDJSON batches (415): sending the JSON form' },
    ]);
    expect(old.agent.health.rejected).toBe(0);
    expect(old.agent.health.snapshot().wireForm).toBe('json');
  });

  it('ships records an older agent spooled in the line form, in both wire forms', async () => {
    for (const ndjson of [true, false]) {
      const state = join(dir, `old-spool-${ndjson}-state`);
      const spool = Spool.open(join(state, 'spool'), { maxBytes: 1 << 24, whenFull: 'block' });
      const old = (i: number) =>
        `{"id":"gw-c:old:${i}","type":"eve","line":${JSON.stringify(line(i))},"file":"/var/log/eve.json"}`;
      await spool.append(recordBatch(upTo(10).map(old)));
      spool.close();
      const { rx, eve } = await setup(`old-spool-${ndjson}`, { ndjson }, { stateDir: state });
      appendFileSync(eve, upTo(15).slice(10).map(line).join('\n') + '\n');
      await waitFor(async () => rx.store.size === 15, 30_000, '15 delivered');
      expect(seqs(rx)).toEqual(upTo(15));
      expect(rx.store.has(`${rx.org}\u0000gw-c:old:3`)).toBe(true);
    }
  });

  it('halves batches the receiver refuses as too large (413) until they fit', async () => {
    const { rx, eve, agent } = await setup('413', { maxEvents: 8 }, { batchMaxEvents: 50 });
    appendFileSync(eve, upTo(300).map(line).join('\n') + '\n');
    await waitFor(async () => rx.store.size === 300 && agent.health.accepted === 300, 30_000, '300 delivered');
    expect(rx.stats.byStatus[413]).toBeGreaterThan(0);
    expect(seqs(rx)).toEqual(upTo(300));
    expect(agent.health.rejected).toBe(0);
  });

  it('counts per-item rejects, never retries them, and delivers the rest', async () => {
    const { rx, eve, agent } = await setup('rejects');
    const lines = upTo(40).map((i) => (i % 10 === 3 ? `{not json ${i}}` : line(i)));
    appendFileSync(eve, lines.join('\n') + '\n');
    await waitFor(async () => agent.health.accepted + agent.health.rejected === 40, 30_000, 'all settled');
    expect(agent.health.rejected).toBe(4);
    expect(rx.stats.rejected).toBe(4);
    expect(seqs(rx)).toEqual(upTo(40).filter((i) => i % 10 !== 3));
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.stats.rejected).toBe(4); // not sent again
  });

  it('retries refused credentials (401) and delivers once they are accepted', async () => {
    const { rx, eve, agent } = await setup('401');
    rx.token = 'something-else';
    appendFileSync(eve, upTo(20).map(line).join('\n') + '\n');
    await waitFor(async () => (rx.stats.byStatus[401] ?? 0) > 0, 30_000, 'a 401');
    expect(agent.health.lastError?.code).toBe('UNAUTHENTICATED');
    rx.token = TOKEN;
    await waitFor(async () => rx.store.size === 20, 60_000, 'delivered after the credentials fix');
    expect(agent.health.retries).toBeGreaterThan(0);
  });

  it('ships gzip bodies and exposes its health as Prometheus metrics', async () => {
    const { rx, eve } = await setup('gzip-metrics', {}, { gzip: true, metrics: { host: '127.0.0.1', port: 0 } });
    const agent = running[running.length - 1]!;
    appendFileSync(eve, upTo(120).map(line).join('\n') + '\nnot json\n');
    await waitFor(async () => rx.store.size === 120, 30_000, '120 delivered');
    const text = await (await fetch(`http://127.0.0.1:${agent.metricsPort}/metrics`)).text();
    expect(text).toMatch(/^msec_agent_events_accepted_total 120$/m);
    expect(text).toMatch(/^msec_agent_lines_skipped_total\{reason="not_json"\} 1$/m);
    expect(text).toMatch(/^msec_agent_spool_events 0$/m);
    expect(text).toMatch(/^msec_agent_last_success_timestamp_seconds \d+/m);
  });

  it('reads the EVE unix_stream socket: lines split across writes and connections arrive once each', async () => {
    const rx = new MonitorReceiver({ token: TOKEN });
    await rx.start();
    receivers.push(rx);
    const sock = join(dir, 'eve.sock');
    const agent = await startAgent({
      stateDir: join(dir, 'sock-state'),
      sensor: 'gw-s',
      version: '0.1.0',
      inputs: [{ kind: 'socket', path: sock }],
      to: new URL(rx.url),
      token: TOKEN,
      lingerMs: 5,
    });
    running.push(agent);
    const sendOver = async (from: number, to: number) => {
      const c = connect(sock);
      await new Promise<void>((r) => c.once('connect', () => r()));
      const text = upTo(to).slice(from).map(line).join('\n') + '\n';
      // Deliberately cut mid-line: the agent must wait for each newline.
      for (let i = 0; i < text.length; i += 97) c.write(text.slice(i, i + 97));
      await new Promise<void>((r) => c.end(() => r()));
    };
    await sendOver(0, 150);
    await sendOver(150, 300);
    await waitFor(async () => rx.store.size === 300, 30_000, '300 via the socket');
    expect(seqs(rx)).toEqual(upTo(300));
    const prefixes = new Set([...rx.store.values()].map((e) => e.id.split(':').slice(0, 3).join(':')));
    expect(prefixes.size).toBe(2);
    for (const e of rx.store.values()) expect(e.id).toMatch(/^gw-s:sock:\d+:\d+$/);
  });
});
