import {
  computeReputations,
  kendallTau,
  plainAverage,
  type RatingEvidence,
  type ReputationParams,
  type TradeEdge,
} from './reputation.ts';

export const ATTACKS = ['none', 'malicious', 'ballot-stuffing', 'bad-mouthing', 'colluding', 'whitewashing'] as const;
export type Attack = (typeof ATTACKS)[number];

export interface SimulationOptions {
  seed: number;
  rounds: number;
  honestProviders: number;
  buyers: number;
  sybils: number;
  params?: ReputationParams;
}

export interface MethodResult {
  tau: number;
  /** Mean rank of the attacking providers (1 = best), and the rank their true quality earns. */
  attackerRank: number;
  fairRank: number;
  /**
   * Rank gain: fairRank - attackerRank, the places the attackers stand above the rank their true
   * quality earns, averaged over attackers (≤ 0: the attack bought nothing).
   */
  gain: number;
}

export interface SimulationResult {
  attack: Attack;
  providers: number;
  model: MethodResult;
  baseline: MethodResult;
}

const DAY = 86400_000;

/** mulberry32: a small seeded generator, so every run of a seed is the same. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Provider {
  id: string;
  /** True quality: what a buyer who trusts the ranking gets now, at the end of the run. */
  quality: number;
  /** Quality served in a round (on-off attackers change it; everyone else serves `quality`). */
  serves?: (round: number) => number;
  attacker: boolean;
  firstSeen: number;
}

/** The round from which on-off (malicious) providers milk the reputation they built. */
export const MILK_FROM = 2 / 3;

/**
 * One market over `rounds` days: honest buyers buy from random providers and rate what they got
 * (satisfied with probability = quality; the hub measures delivered ≈ quality); the attack adds
 * its agents. Returns τ of each method's ranking against true quality, and the attackers' ranks.
 */
export function simulate(attack: Attack, o: SimulationOptions): SimulationResult {
  const rand = rng(o.seed);
  const noise = (sd: number) => sd * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  const providers: Provider[] = Array.from({ length: o.honestProviders }, (_, i) => ({
    id: `p${i}`,
    quality: 0.1 + (0.85 * i) / Math.max(1, o.honestProviders - 1),
    attacker: false,
    firstSeen: 0,
  }));
  const addAttacker = (id: string, quality: number): Provider => {
    const p = { id, quality, attacker: true, firstSeen: 0 };
    providers.push(p);
    return p;
  };
  const attackers: Provider[] = [];
  // On-off: three providers serve well (0.9) for two thirds of the run to build a reputation, then
  // milk it with bad service (0.05). Their true quality is what they serve now; an average that
  // remembers the good months keeps selling them.
  if (attack === 'malicious')
    for (let i = 0; i < 3; i++) {
      const p = addAttacker(`onoff${i}`, 0.05);
      p.serves = (round) => (round < Math.floor(o.rounds * MILK_FROM) ? 0.9 : 0.05);
      attackers.push(p);
    }
  if (attack === 'ballot-stuffing' || attack === 'whitewashing') attackers.push(addAttacker('cheat', 0.12));
  if (attack === 'bad-mouthing') attackers.push(addAttacker('rival', 0.5));
  if (attack === 'colluding') for (let i = 0; i < 4; i++) attackers.push(addAttacker(`ring${i}`, 0.15));

  const ratings: RatingEvidence[] = [];
  const trades: TradeEdge[] = [];
  const orgOf = (id: string) => `org-${id}`;
  const rate = (rater: string, p: Provider, score: number, at: number, paid: number, delivered: number | null) => {
    ratings.push({
      provider: p.id,
      rater,
      raterOrg: orgOf(rater),
      providerOrg: orgOf(p.id),
      score: Math.round(Math.min(5, Math.max(1, score))),
      at,
      paid,
      delivered,
    });
    trades.push({ buyerOrg: orgOf(rater), sellerOrg: orgOf(p.id) });
  };
  const honestScore = (q: number) => (rand() < q ? 4 + (rand() < 0.5 ? 1 : 0) : 1 + (rand() < 0.5 ? 1 : 0));
  const top = [...providers]
    .filter((p) => !p.attacker)
    .sort((a, b) => b.quality - a.quality)
    .slice(0, 3);
  let identity = 0;
  for (let round = 0; round < o.rounds; round++) {
    const at = round * DAY;
    for (let b = 0; b < o.buyers; b++) {
      const p = providers[Math.floor(rand() * providers.length)]!;
      const paid = 1_000_000 + Math.floor(rand() * 2_000_000);
      const q = p.serves ? p.serves(round) : p.quality;
      rate(`buyer${b}`, p, honestScore(q), at, paid, clamp(q + noise(0.1)));
    }
    const sybil = (s: number) => `sybil${s}`;
    if (attack === 'ballot-stuffing' || attack === 'whitewashing') {
      // Accomplices buy (the tokens come back to the cheat) and get full delivery and five stars.
      for (let s = 0; s < o.sybils; s++) rate(sybil(s), attackers[0]!, 5, at, 3_000_000, 1);
    }
    if (attack === 'bad-mouthing') {
      for (let s = 0; s < o.sybils; s++) {
        const victim = top[s % top.length]!;
        rate(sybil(s), victim, 1, at, 3_000_000, clamp(victim.quality + noise(0.1)));
      }
    }
    if (attack === 'colluding') {
      for (const a of attackers) for (const b of attackers) if (a !== b) rate(a.id, b, 5, at, 3_000_000, 1);
    }
    if (attack === 'whitewashing' && round > 0 && round % 10 === 0) {
      // The cheat drops its spoiled identity and comes back new.
      const old = attackers[0]!;
      providers.splice(providers.indexOf(old), 1);
      attackers[0] = addAttacker(`cheat-${++identity}`, old.quality);
      attackers[0].firstSeen = at;
    }
  }
  const now = o.rounds * DAY;
  const live = new Set(providers.map((p) => p.id));
  const current = ratings.filter((r) => live.has(r.provider));
  const model = computeReputations(
    current,
    providers.map((p) => ({ provider: p.id, firstSeen: p.firstSeen, attested: 1 })),
    trades,
    now,
    o.params,
  );
  const base = plainAverage(
    current,
    providers.map((p) => p.id),
  );
  const quality = providers.map((p) => p.quality);
  const fair = [...providers].sort((a, b) => b.quality - a.quality);
  const fairRank =
    attackers.length === 0 ? 0 : attackers.reduce((s, a) => s + fair.indexOf(a) + 1, 0) / attackers.length;
  const method = (ranked: { provider: string; rank: number }[], score: (id: string) => number): MethodResult => {
    const rankOf = new Map(ranked.map((r) => [r.provider, r.rank]));
    const attackerRank =
      attackers.length === 0 ? 0 : attackers.reduce((s, a) => s + rankOf.get(a.id)!, 0) / attackers.length;
    return {
      tau: kendallTau(
        quality,
        providers.map((p) => score(p.id)),
      ),
      attackerRank,
      fairRank,
      gain: fairRank - attackerRank,
    };
  };
  const modelBy = new Map(model.map((r) => [r.provider, r]));
  const baseBy = new Map(base.map((r) => [r.provider, r]));
  return {
    attack,
    providers: providers.length,
    // The model ranks by the lower bound of the interval: score τ on that same key.
    model: method(model, (id) => modelBy.get(id)!.low),
    baseline: method(base, (id) => baseBy.get(id)!.score),
  };
}
