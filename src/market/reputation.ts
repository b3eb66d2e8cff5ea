/**
 * The trust and reputation model (documented in docs/market.md): a Beta reputation per provider
 * built from weighted evidence. Pure: the market feeds it ratings, trades and hub evidence.
 */

export interface RatingEvidence {
  provider: string;
  rater: string;
  raterOrg: string;
  providerOrg: string;
  /** 1..5 */
  score: number;
  at: number;
  /** Tokens the rater paid in the rated trade (minor units): the rater's stake. */
  paid: number;
  /** Delivered / promised messages of the rated trade as the hub measured them, when known. */
  delivered: number | null;
}

export interface ProviderEvidence {
  provider: string;
  /** When the identity first appeared (first listing or trade). */
  firstSeen: number;
  /** Share (0..1) of the provider's devices with verified signatures and attestation. */
  attested: number;
}

/** Who bought from whom (organisations), for finding trade cycles. */
export interface TradeEdge {
  buyerOrg: string;
  sellerOrg: string;
}

export interface ReputationParams {
  /** Evidence loses half its weight after this long (ms). */
  halfLifeMs: number;
  /**
   * Half-life of the recent-behaviour estimate (ms). When recent evidence is clearly worse than
   * the long memory (its interval lies wholly below the long-run score), the recent estimate
   * rules: a provider who built a name and then milks it (on-off) cannot live on its past.
   */
  recentHalfLifeMs: number;
  /** Prior evidence: a newcomer starts at α0 / (α0 + β0) with low confidence. */
  priorAlpha: number;
  priorBeta: number;
  /** Weight of one trade's objective (hub-measured) delivery evidence, relative to a full-weight rating. */
  objectiveWeight: number;
  /** Weight multiplier of a rating between organisations in a trade cycle (collusion). */
  cycleDiscount: number;
  /** Stake at which a rating reaches half its full stake weight (minor units). */
  halfStake: number;
  /** Identity age at which the newcomer discount reaches one half (ms). */
  halfAgeMs: number;
  /** z of the confidence interval (1.96: 95 %). */
  z: number;
  /** Most evidence weight one rater (buyer) can add about one provider, however often they trade. */
  pairCap: number;
}

export const DEFAULT_REPUTATION_PARAMS: ReputationParams = {
  halfLifeMs: 30 * 86400_000,
  recentHalfLifeMs: 5 * 86400_000,
  priorAlpha: 1,
  priorBeta: 2,
  objectiveWeight: 1,
  cycleDiscount: 0.1,
  halfStake: 1_000_000,
  halfAgeMs: 7 * 86400_000,
  z: 1.96,
  pairCap: 1.5,
};

export interface Reputation {
  provider: string;
  /** Expected trustworthiness α / (α + β), 0..1. */
  score: number;
  /** Confidence interval of the score (normal approximation of the Beta, clipped to 0..1). */
  low: number;
  high: number;
  alpha: number;
  beta: number;
  /** Ratings and objective observations that contributed. */
  evidence: number;
  /** 1-based, by the interval's lower bound (most trustworthy first). */
  rank: number;
}

/** Organisations from which `to` can be reached following buyer → seller edges within `hops`. */
function reaches(edges: Map<string, Set<string>>, from: string, to: string, hops: number): boolean {
  let frontier = new Set([from]);
  const seen = new Set([from]);
  for (let h = 0; h < hops && frontier.size > 0; h++) {
    const next = new Set<string>();
    for (const n of frontier)
      for (const m of edges.get(n) ?? []) {
        if (m === to) return true;
        if (!seen.has(m)) {
          seen.add(m);
          next.add(m);
        }
      }
    frontier = next;
  }
  return false;
}

const decay = (ageMs: number, halfLife: number): number => Math.pow(0.5, Math.max(0, ageMs) / halfLife);

/**
 * Computes every provider's reputation at `now`. Each rating r = (score-1)/4 adds w·r to α and
 * w·(1-r) to β, with w = time decay × stake × rater credibility × collusion discount; each
 * trade's delivery ratio adds objective evidence the same way; attestation adds one unit. Rater
 * credibility is how well a rater's past ratings agree with the consensus (two passes).
 */
export function computeReputations(
  ratings: readonly RatingEvidence[],
  providers: readonly ProviderEvidence[],
  trades: readonly TradeEdge[],
  now: number,
  p: ReputationParams = DEFAULT_REPUTATION_PARAMS,
): Reputation[] {
  const edges = new Map<string, Set<string>>();
  for (const t of trades) {
    if (!edges.has(t.buyerOrg)) edges.set(t.buyerOrg, new Set());
    edges.get(t.buyerOrg)!.add(t.sellerOrg);
  }
  // A rating is collusive when the provider's org (transitively) bought from the rater's org:
  // the rater→provider trade plus that path close a cycle.
  const collusive = ratings.map((r) => r.raterOrg === r.providerOrg || reaches(edges, r.providerOrg, r.raterOrg, 3));
  const pairOf = (r: RatingEvidence) => `${r.rater}\u0000${r.provider}`;
  let credibility = new Map<string, number>();
  let reps = new Map<string, { a: number; b: number; n: number; ra: number; rb: number }>();
  for (let pass = 0; pass < 3; pass++) {
    reps = new Map(
      providers.map((pe) => {
        const a = p.priorAlpha + pe.attested;
        const b = p.priorBeta + (1 - pe.attested);
        return [pe.provider, { a, b, n: 0, ra: a, rb: b }];
      }),
    );
    // Each trade's evidence: [weight, value] for the hub's delivery measure and for the rating.
    const parts = ratings.map((r, i) => {
      const time = decay(now - r.at, p.halfLifeMs);
      const discount = collusive[i] ? p.cycleDiscount : 1;
      const objective: [number, number] | null =
        r.delivered === null ? null : [time * p.objectiveWeight * discount, Math.min(1, Math.max(0, r.delivered))];
      const stake = r.paid / (r.paid + p.halfStake);
      const rated: [number, number] = [
        time * stake * (credibility.get(r.rater) ?? 0.5) * discount,
        (Math.min(5, Math.max(1, r.score)) - 1) / 4,
      ];
      return { objective, rated, recent: decay(now - r.at, p.recentHalfLifeMs) / time };
    });
    // One buyer cannot outweigh the market about one provider by trading with it over and over.
    const pairWeight = new Map<string, number>();
    ratings.forEach((r, i) => {
      const { objective, rated } = parts[i]!;
      pairWeight.set(pairOf(r), (pairWeight.get(pairOf(r)) ?? 0) + rated[0] + (objective?.[0] ?? 0));
    });
    ratings.forEach((r, i) => {
      const e = reps.get(r.provider);
      if (!e) return;
      const total = pairWeight.get(pairOf(r)) ?? 0;
      const scale = total > p.pairCap ? p.pairCap / total : 1;
      for (const part of [parts[i]!.objective, parts[i]!.rated]) {
        if (!part) continue;
        e.a += scale * part[0] * part[1];
        e.b += scale * part[0] * (1 - part[1]);
        e.ra += scale * part[0] * parts[i]!.recent * part[1];
        e.rb += scale * part[0] * parts[i]!.recent * (1 - part[1]);
        e.n++;
      }
    });
    // Credibility: 1 - mean absolute deviation of the rater's scores from the current consensus,
    // sharpened, so raters who lie against the evidence lose their say.
    const dev = new Map<string, { sum: number; n: number }>();
    for (const r of ratings) {
      const e = reps.get(r.provider);
      if (!e) continue;
      const d = dev.get(r.rater) ?? { sum: 0, n: 0 };
      d.sum += Math.abs((r.score - 1) / 4 - e.a / (e.a + e.b));
      d.n++;
      dev.set(r.rater, d);
    }
    credibility = new Map([...dev].map(([rater, d]) => [rater, Math.pow(Math.max(0, 1 - d.sum / d.n), 4)]));
  }
  const ageOf = new Map(providers.map((pe) => [pe.provider, now - pe.firstSeen]));
  const beta = (a: number, b: number) => {
    const n = a + b;
    const score = a / n;
    const sd = Math.sqrt((a * b) / (n * n * (n + 1)));
    return { a, b, score, low: score - p.z * sd, high: score + p.z * sd };
  };
  const out = [...reps].map(([provider, ev]) => {
    const long = beta(ev.a, ev.b);
    const recent = beta(ev.ra, ev.rb);
    // Behaviour changed for the worse (on-off): the recent estimate rules until it recovers.
    const e = recent.high < long.score ? recent : long;
    const { score } = e;
    // Whitewashing: a young identity's lower bound is pulled toward zero until it has aged.
    const age = Math.max(0, ageOf.get(provider) ?? 0);
    const maturity = age / (age + p.halfAgeMs);
    return {
      provider,
      score,
      low: Math.max(0, e.low) * (0.5 + 0.5 * maturity),
      high: Math.min(1, e.high),
      alpha: e.a,
      beta: e.b,
      evidence: ev.n,
      rank: 0,
    };
  });
  out.sort((x, y) => y.low - x.low || y.score - x.score || (x.provider < y.provider ? -1 : 1));
  out.forEach((r, i) => (r.rank = i + 1));
  return out;
}

/** The baseline most marketplaces use: the plain average of scores (3 for no ratings). */
export function plainAverage(
  ratings: readonly RatingEvidence[],
  providers: readonly string[],
): { provider: string; score: number; rank: number }[] {
  const sums = new Map(providers.map((pv) => [pv, { s: 0, n: 0 }]));
  for (const r of ratings) {
    const e = sums.get(r.provider);
    if (e) {
      e.s += r.score;
      e.n++;
    }
  }
  const out = [...sums].map(([provider, e]) => ({ provider, score: e.n === 0 ? 3 : e.s / e.n, rank: 0 }));
  out.sort((x, y) => y.score - x.score || (x.provider < y.provider ? -1 : 1));
  out.forEach((r, i) => (r.rank = i + 1));
  return out;
}

/** Kendall's τ-b between two score vectors of equal length (ties handled). */
export function kendallTau(x: readonly number[], y: readonly number[]): number {
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign(x[i]! - x[j]!);
      const dy = Math.sign(y[i]! - y[j]!);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesX) * (concordant + discordant + tiesY));
  return denom === 0 ? 0 : (concordant - discordant) / denom;
}
