/**
 * Reputation under attack: `npm run eval -- reputation [--seeds N] [--rounds R]`. For each attack,
 * Kendall τ of the ranking against true provider quality and the attackers' mean rank, for the
 * market's model and for a plain average of scores, averaged over seeds.
 */
import { parseArgs } from 'node:util';
import { ATTACKS, simulate, type SimulationResult } from '../src/market/simulation.ts';

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { seeds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '60' } },
  });
  const seeds = Math.max(1, Math.min(100, Number(values.seeds) || 5));
  const rounds = Math.max(5, Math.min(1000, Number(values.rounds) || 60));
  console.log(`16 honest providers, 40 honest buyers, 10 sybils, ${rounds} rounds, ${seeds} seeds (mean)`);
  console.log(
    'attack            model τ  base τ   fair rank  model rank  base rank  model gain  base gain  meets target',
  );
  let allMet = true;
  for (const attack of ATTACKS) {
    const runs: SimulationResult[] = [];
    for (let s = 1; s <= seeds; s++)
      runs.push(simulate(attack, { seed: s, rounds, honestProviders: 16, buyers: 40, sybils: 10 }));
    const mean = (f: (r: SimulationResult) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
    const mt = mean((r) => r.model.tau);
    const bt = mean((r) => r.baseline.tau);
    const mg = mean((r) => r.model.gain);
    const bg = mean((r) => r.baseline.gain);
    const met = mt >= 0.8 && (attack === 'none' || mg < bg);
    allMet &&= met;
    const f = (x: number, w = 8) => x.toFixed(2).padStart(w);
    console.log(
      `${attack.padEnd(16)} ${f(mt)} ${f(bt)} ${f(
        mean((r) => r.model.fairRank),
        10,
      )} ${f(
        mean((r) => r.model.attackerRank),
        11,
      )} ${f(
        mean((r) => r.baseline.attackerRank),
        10,
      )} ${f(mg, 11)} ${f(bg, 10)}  ${met ? 'yes' : 'NO'}`,
    );
  }
  console.log(
    allMet
      ? 'targets met: τ ≥ 0.8 under every attack, every attack gains less rank than under the plain average'
      : 'targets NOT met',
  );
}
