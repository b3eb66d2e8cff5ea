import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMsec } from './helpers/cli.ts';
import { waitFor } from './helpers/net.ts';
import { startNodeRed, type NodeRedRuntime } from './helpers/nodered.ts';
import { describeWithTestdata, REPO_ROOT } from './helpers/testdata.ts';

/**
 * The done-when of controller synthesis: `msec design synth examples/video-release.lts --nodered
 * map.json -o flows.json` writes a flow that a real Node-RED 4.1 runtime loads, and the flow
 * enforces the controller — a user gets the anonymised frame, never the raw one; an administrator
 * gets the raw frame; a request the controller does not allow in its state is refused.
 */

const RAW_MARK = 'RAW-FRAME';

/** A stub anonymizer: decodes the base64 frame and blurs it; it can hold a request until released. */
function startAnonymizer(): Promise<{
  server: Server;
  url: string;
  hold(): void;
  release(): void;
  held(): boolean;
  calls: number;
}> {
  let holding = false;
  let waiting: (() => void) | null = null;
  const state = { calls: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.calls++;
      const frame = JSON.parse(Buffer.from(Buffer.concat(chunks).toString('utf8'), 'base64').toString('utf8')) as {
        frame: string;
      };
      const blurred = {
        frame: frame.frame.replace(RAW_MARK, 'ANONYMISED').replace(/face of [^:]+?(?= at|$)/, '[blurred face]'),
        kind: 'anonymised',
      };
      const answer = () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(Buffer.from(JSON.stringify(blurred)).toString('base64'));
      };
      if (holding) waiting = answer;
      else answer();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({
        server,
        url: `http://127.0.0.1:${port}/anonymize`,
        hold: () => (holding = true),
        release: () => {
          holding = false;
          const w = waiting;
          waiting = null;
          w?.();
        },
        held: () => waiting !== null,
        get calls() {
          return state.calls;
        },
      });
    });
  });
}

describe('design synth → Node-RED (real runtime)', () => {
  let dir = '';
  let red: NodeRedRuntime | null = null;
  let redLog = () => '';
  let base = '';
  let anon: Awaited<ReturnType<typeof startAnonymizer>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'msec-synth-nodered-'));
    anon = await startAnonymizer();
    const flows = join(dir, 'flows.json');
    const gen = await runMsec([
      'design',
      'synth',
      join(REPO_ROOT, 'examples', 'video-release.lts'),
      '--nodered',
      join(REPO_ROOT, 'examples', 'video-release.map.json'),
      '-o',
      flows,
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    // A second controller on its own tab (own flow context): device onboarding.
    const onboarding = join(dir, 'onboarding.json');
    const gen2 = await runMsec([
      'design',
      'synth',
      join(REPO_ROOT, 'examples', 'device-onboarding.lts'),
      '--nodered',
      join(REPO_ROOT, 'examples', 'device-onboarding.map.json'),
      '-o',
      onboarding,
    ]);
    expect(gen2.code, gen2.stderr).toBe(0);
    const both = [
      ...(JSON.parse(readFileSync(flows, 'utf8')) as unknown[]),
      ...(JSON.parse(readFileSync(onboarding, 'utf8')) as unknown[]),
    ];
    writeFileSync(flows, JSON.stringify(both));
    red = await startNodeRed(dir, flows, { MSEC_ANONYMIZER_URL: anon.url });
    base = red.base;
    redLog = red.log;
  }, 120_000);

  afterAll(async () => {
    red?.stop();
    await new Promise<void>((r) => (anon?.server ? anon.server.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads every node of the generated flow (no unknown types, no errors)', () => {
    expect(redLog()).not.toMatch(/Waiting for missing types|\[error\]/);
    const flow = JSON.parse(readFileSync(join(dir, 'flows.json'), 'utf8')) as { type: string }[];
    expect(flow.filter((n) => n.type === 'http in')).toHaveLength(6);
    expect(flow.filter((n) => n.type === 'tab')).toHaveLength(2);
  });

  it('gives a user the anonymised frame (through the anonymizer) and never the raw one', async () => {
    const before = anon.calls;
    const r = await fetch(`${base}/user`);
    expect(r.status).toBe(200);
    const body = await r.text();
    expect(body).not.toContain(RAW_MARK);
    expect(JSON.parse(body)).toMatchObject({ kind: 'anonymised' });
    expect(body).toContain('[blurred face]');
    expect(anon.calls).toBe(before + 1);
  });

  it('gives an administrator the raw frame without calling the anonymizer', async () => {
    const before = anon.calls;
    const r = await fetch(`${base}/admin`);
    expect(r.status).toBe(200);
    const body = JSON.parse(await r.text()) as { kind: string; frame: string };
    expect(body.kind).toBe('raw');
    expect(body.frame).toContain(RAW_MARK);
    expect(anon.calls).toBe(before);
  });

  it('refuses a request out of order (while the controller is in the middle of a user request)', async () => {
    anon.hold();
    const userReq = fetch(`${base}/user`);
    await waitFor(async () => anon.held(), 30_000, 'the anonymizer to be called');
    // The controller is between blur and revert_format: neither request is allowed now.
    const admin = await fetch(`${base}/admin`);
    expect(admin.status).toBe(409);
    expect(((await admin.json()) as { error: { code: string } }).error.code).toBe('DESIGN_SYNTH_OUT_OF_ORDER');
    const second = await fetch(`${base}/user`);
    expect(second.status).toBe(409);
    anon.release();
    const first = await userReq;
    expect(first.status).toBe(200);
    expect(await first.text()).not.toContain(RAW_MARK);
    // Back in the initial state: an administrator is served again.
    const again = await fetch(`${base}/admin`);
    expect(again.status).toBe(200);
  });

  it('onboards a device: publish only after a passed attestation, quarantine after a failed one', async () => {
    const post = (path: string, body: unknown = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/readings', { t: 21.5 })).status).toBe(409);
    expect((await post('/attestation/pass')).status).toBe(409);
    const enrolled = await post('/enroll', { device: 'dev-1' });
    expect(enrolled.status).toBe(201);
    expect(await enrolled.json()).toHaveProperty('next');
    // A failed attestation quarantines the device at once: it is back to "not enrolled".
    expect((await post('/attestation/fail')).status).toBe(202);
    expect((await post('/readings', { t: 21.5 })).status).toBe(409);
    expect((await post('/enroll', { device: 'dev-1' })).status).toBe(201);
    expect((await post('/attestation/pass')).status).toBe(202);
    const published = await post('/readings', { t: 22 });
    expect(published.status).toBe(200);
    expect(await published.json()).toEqual({ t: 22 });
    expect((await post('/enroll', { device: 'dev-1' })).status).toBe(409);
  });
});

describeWithTestdata('fsp', "MTSA's own OneRoom controller (M-Sec room access) in Node-RED", (fspDir) => {
  let dir = '';
  let red: NodeRedRuntime | null = null;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'msec-synth-oneroom-'));
    const flows = join(dir, 'flows.json');
    const gen = await runMsec([
      'design',
      'synth',
      join(fspDir, 'controller-outputs', 'msec-OneRoom-Controller.txt'),
      '--nodered',
      join(REPO_ROOT, 'examples', 'one-room.map.yaml'),
      '-o',
      flows,
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    red = await startNodeRed(dir, flows);
  }, 120_000);
  afterAll(() => {
    red?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lets a visitor in, refuses events out of order, and denies entry once the room is at its threshold', async () => {
    const base = red!.base;
    expect((await fetch(`${base}/sensor/leave`, { method: 'POST' })).status).toBe(409);
    const enter = await fetch(`${base}/room/A/enter`);
    expect(enter.status).toBe(200);
    expect(await enter.json()).toMatchObject({ decision: 'allow', room: 'A' });
    // Until the visitor has arrived, another request is out of order.
    expect((await fetch(`${base}/room/A/enter`)).status).toBe(409);
    expect((await fetch(`${base}/sensor/arrive/A/1`, { method: 'POST' })).status).toBe(202);
    // The room is at its threshold: the controller locks it and denies the next visitor.
    const second = await fetch(`${base}/room/A/enter`);
    expect(second.status).toBe(403);
    expect(await second.json()).toMatchObject({ decision: 'deny', room: 'A', door: 'locked' });
  });
});

describe('design synth → Node-RED: the production cell drives a machine gateway', () => {
  let dir = '';
  let red: NodeRedRuntime | null = null;
  let plc: Server;
  const commands: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'msec-synth-cell-'));
    // A stub of the cell's machine gateway: records every command it is sent.
    plc = createServer((req, res) => {
      commands.push(req.url!.slice(1));
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ ok: req.url!.slice(1) })));
    });
    await new Promise<void>((r) => plc.listen(0, '127.0.0.1', () => r()));
    const addr = plc.address();
    const url = (cmd: string) => `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/${cmd}`;
    const flows = join(dir, 'flows.json');
    const gen = await runMsec([
      'design',
      'synth',
      join(REPO_ROOT, 'examples', 'production-cell.lts'),
      '--nodered',
      join(REPO_ROOT, 'examples', 'production-cell.map.json'),
      '-o',
      flows,
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    red = await startNodeRed(dir, flows, {
      CELL_PRESS_START_URL: url('press.start'),
      CELL_PRESS_REPAIR_URL: url('press.repair'),
      CELL_DRILL_START_URL: url('drill.start'),
      CELL_DRILL_REPAIR_URL: url('drill.repair'),
    });
  }, 120_000);
  afterAll(async () => {
    red?.stop();
    await new Promise<void>((r) => (plc ? plc.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts the press at deploy, feeds the drill when a part is on the table, and never overfills it', async () => {
    const base = red!.base;
    const post = (path: string) => fetch(`${base}${path}`, { method: 'POST' });
    await waitFor(async () => commands.length > 0, 30_000, 'the first command');
    expect(commands).toEqual(['press.start']);
    // Nothing is drilling yet: a drill report is out of order.
    expect((await post('/drill/finish')).status).toBe(409);
    // A part lands on the table: the controller starts the drill, then the press again.
    expect((await post('/press/finish')).status).toBe(200);
    expect(commands).toEqual(['press.start', 'drill.start', 'press.start']);
    // The drill breaks while the press works: it is repaired first.
    expect((await post('/drill/break')).status).toBe(200);
    expect(commands.at(-1)).toBe('drill.repair');
    // The press finishes: the drill takes the part and the press starts again.
    expect((await post('/press/finish')).status).toBe(200);
    expect(commands.slice(4)).toEqual(['drill.start', 'press.start']);
    // The press finishes while the drill is busy: the table is full, so the press is NOT restarted
    // (a second part could not go anywhere); nothing was commanded, the report gets 202.
    const full = await post('/press/finish');
    expect(full.status).toBe(202);
    expect(commands).toHaveLength(6);
    // The drill finishes: it takes the waiting part, and the press may start again.
    expect((await post('/drill/finish')).status).toBe(200);
    expect(commands.slice(6)).toEqual(['drill.start', 'press.start']);
  });
});
