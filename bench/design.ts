/**
 * Controller-synthesis cost against the size of the composed state space, on two parametric
 * models: n dining philosophers (the book's DINERS, composition only) and a production line of n
 * machines with n-1 buffers of capacity 2 (composition with the buffer properties, then supervisor
 * synthesis). Reference, measured in the same run: a plain breadth-first search over an explicit
 * CSR graph with the same numbers of states and transitions — the floor any explorer pays.
 * Usage: run(['--philosophers', '8', '--machines', '7', '--max-states', '5000000']).
 */
import { Evaluator, parseFsp } from '../src/design/index.ts';
import { argValue } from './helpers/measure.ts';

function philosophers(n: number): string {
  return `PHIL = (sitdown->right.get->left.get->eat->left.put->right.put->arise->PHIL).
FORK = (get -> put -> FORK).
||DINERS(N=${n}) = forall [i:0..N-1] (phil[i]:PHIL || {phil[i].left,phil[((i-1)+N)%N].right}::FORK).`;
}

function productionLine(n: number): string {
  const machines = Array.from({ length: n }, (_, i) => `m[${i}]:MACHINE`).join(' || ');
  const buffers = Array.from({ length: n - 1 }, (_, i) => `BUFFER${i}`);
  const bufferDefs = buffers
    .map(
      (b, i) =>
        `property ${b} = B[0], B[k:0..K] = (when (k<K) m[${i}].finish -> B[k+1] | when (k>0) m[${i + 1}].start -> B[k-1]).`,
    )
    .join('\n');
  return `const K = 2
MACHINE = (start -> WORKING), WORKING = (finish -> MACHINE | break -> DOWN), DOWN = (repair -> MACHINE).
${bufferDefs}
||LINE = (${machines}).
controllerSpec Goal = {
  safety = {${buffers.join(', ')}}
  controllable = {m[0..${n - 1}].{start, repair}}
  marking = {m[${n - 1}].finish}
  nonblocking
}
controller ||C = LINE~{Goal}.`;
}

/** BFS over a random graph with `states` states and `transitions` edges in CSR (a spine keeps all reachable). */
function referenceBfs(states: number, transitions: number): number {
  const offsets = new Int32Array(states + 1);
  const targets = new Int32Array(Math.max(transitions, states));
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % states;
  const per = Math.max(1, Math.floor(targets.length / states));
  let k = 0;
  for (let s = 0; s < states; s++) {
    offsets[s] = k;
    targets[k++] = (s + 1) % states;
    for (let j = 1; j < per && k < targets.length; j++) targets[k++] = rnd();
  }
  offsets[states] = k;
  const t0 = performance.now();
  const seen = new Uint8Array(states);
  const queue = new Int32Array(states);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  seen[0] = 1;
  while (head < tail) {
    const s = queue[head++]!;
    for (let e = offsets[s]!; e < offsets[s + 1]!; e++) {
      const t = targets[e]!;
      if (!seen[t]) {
        seen[t] = 1;
        queue[tail++] = t;
      }
    }
  }
  return performance.now() - t0;
}

const mib = () => Math.round(process.memoryUsage().rss / 2 ** 20);

export async function run(args: string[]): Promise<void> {
  const maxPhil = argValue(args, '--philosophers', 8);
  const maxMachines = argValue(args, '--machines', 7);
  const maxStates = argValue(args, '--max-states', 5_000_000);
  console.log(
    '| model | composed states | transitions | compose ms | synthesis ms | states/s | reference BFS ms | cost / BFS | controller states | RSS MiB |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const row = (
    model: string,
    states: number,
    transitions: number,
    composeMs: number,
    synthMs: number | null,
    ctrl: number | null,
  ) => {
    const bfs = referenceBfs(states, transitions);
    const total = composeMs + (synthMs ?? 0);
    console.log(
      `| ${model} | ${states} | ${transitions} | ${composeMs.toFixed(0)} | ${synthMs === null ? '—' : synthMs.toFixed(0)} | ${Math.round(states / (total / 1000))} | ${bfs.toFixed(1)} | ${(total / Math.max(bfs, 0.01)).toFixed(1)}× | ${ctrl ?? '—'} | ${mib()} |`,
    );
  };
  for (let n = 3; n <= maxPhil; n++) {
    const ev = new Evaluator(parseFsp(philosophers(n)), { maxStates });
    const t0 = performance.now();
    const lts = ev.lts('DINERS');
    row(`philosophers n=${n}`, lts.nStates, lts.labels.length, performance.now() - t0, null, null);
  }
  for (let n = 2; n <= maxMachines; n++) {
    const ev = new Evaluator(parseFsp(productionLine(n)), { maxStates });
    const t0 = performance.now();
    // Compose plant + properties once, timed apart from the fixed point.
    const ctrl = ev.lts('C');
    const total = performance.now() - t0;
    const r = ev.syntheses.get('C')!;
    // Re-run the fixed point alone on the same plant to split the time.
    const { synthesise } = await import('../src/design/synth/synthesis.ts');
    const n2 = ev.actions.names.length;
    const controllable = new Uint8Array(n2);
    const marking = new Uint8Array(n2);
    for (let a = 1; a < n2; a++) {
      const name = ev.actions.name(a);
      if (/\.(start|repair)$/.test(name)) controllable[a] = 1;
      if (name === `m.${n - 1}.finish`) marking[a] = 1;
    }
    const t1 = performance.now();
    synthesise({ plant: r.plant, controllable, marking, name: 'C' });
    const synthMs = performance.now() - t1;
    row(
      `production line n=${n}`,
      r.plant.nStates,
      r.plant.labels.length,
      Math.max(0, total - synthMs),
      synthMs,
      ctrl.nStates,
    );
  }
}
