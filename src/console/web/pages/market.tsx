import '../secops/secops.css';
import '../market/market.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.ts';
import { usePolled } from '../poll.ts';
import { DepthChart } from '../market/depth-chart.tsx';
import { LevelsTable, ListingsTable, RankingsTable, Tape, TradesTable, WalletCard } from '../market/panels.tsx';
import { useMarketStream } from '../market/use-market-stream.ts';
import type { Depth, Listing, Ranking, StatementLine, TapeTrade, Trade, Wallet } from '../market/types.ts';

interface Mine {
  wallet?: Wallet;
  statement: StatementLine[];
  trades: Trade[];
  /** Set when the caller's roles do not trade (no wallet, orders or trades). */
  refused?: ApiFailure;
}

async function loadMine(): Promise<Mine> {
  try {
    const [wallet, statement, trades] = await Promise.all([
      api<Wallet>('GET', '/market/wallet'),
      api<{ items: StatementLine[] }>('GET', '/market/wallet/statement?limit=50'),
      api<{ items: Trade[] }>('GET', '/market/trades'),
    ]);
    return { wallet, statement: statement.items, trades: trades.items };
  } catch (e) {
    if (e instanceof ApiFailure && e.error.status === 403) return { statement: [], trades: [], refused: e };
    throw e;
  }
}

const RELOAD_MS = 1500;
const STREAM_TEXT = { live: 'Live', connecting: 'Connecting…', down: 'Not live (polling)' };

/**
 * The marketplace: listings of hub resources, the order-book depth of a class (kept current by the
 * market's stream, polled as well), the market's recent trades (the public tape), the signed-in
 * user's wallet, history and trades, and the providers' reputation.
 */
export function MarketPage() {
  const listings = usePolled(() => api<{ items: Listing[] }>('GET', '/market/listings'), 15_000);
  const rankings = usePolled(() => api<{ items: Ranking[] }>('GET', '/market/rankings'), 15_000);
  const mine = usePolled(loadMine, 10_000);
  const [picked, setPicked] = useState<string | undefined>();
  const [depth, setDepth] = useState<Depth | undefined>();
  const recent = usePolled(() => api<{ items: TapeTrade[] }>('GET', '/market/tape?limit=30'), 30_000);
  const [pushed, setPushed] = useState<TapeTrade[]>([]);
  const [bookError, setBookError] = useState('');

  const items = listings.data?.items ?? [];
  const classes = [...new Set(items.map((l) => l.class))];
  const cls = picked ?? items.find((l) => l.status === 'open')?.class ?? classes[0];

  useEffect(() => {
    if (!cls) return;
    let live = true;
    const load = () =>
      api<Depth>('GET', `/market/book/${encodeURIComponent(cls)}`).then(
        (d) => live && (setDepth(d), setBookError('')),
        (e: unknown) => live && setBookError(String(e instanceof ApiFailure ? e.error.message : e)),
      );
    void load();
    const timer = setInterval(() => void load(), 10_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [cls]);

  // A busy market trades often: the wallet, trades and rankings reload at most once per RELOAD_MS.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(pending.current), []);
  const stream = useMarketStream(
    (d) => d.class === cls && setDepth(d),
    (t) => {
      setPushed((prev) => [t, ...prev.filter((x) => x.id !== t.id)].slice(0, 30));
      pending.current ??= setTimeout(() => {
        pending.current = undefined;
        mine.reload();
        rankings.reload();
      }, RELOAD_MS);
    },
  );

  const tape = [...new Map([...(recent.data?.items ?? []), ...pushed].map((t) => [t.id, t])).values()]
    .sort((a, b) => b.at - a.at)
    .slice(0, 30);
  const shown = depth && depth.class === cls ? depth : undefined;
  return (
    <>
      <div class="page-head">
        <h1>Marketplace</h1>
        <span class={`live live-${stream}`} role="status" data-testid="market-stream" data-state={stream}>
          {STREAM_TEXT[stream]}
        </span>
      </div>
      {listings.error && (
        <p role="alert" class="error">
          {listings.error}
        </p>
      )}

      <div class="market-grid">
        <section class="card" aria-labelledby="wallet-title">
          <h2 id="wallet-title">Your wallet</h2>
          <WalletCard
            wallet={mine.data?.wallet}
            statement={mine.data?.statement ?? []}
            error={mine.data?.refused ?? (mine.error || undefined)}
          />
        </section>
        <section class="card" aria-labelledby="rankings-title">
          <h2 id="rankings-title">Provider rankings</h2>
          <p class="muted small">
            Trust from buyers' ratings and the hub's delivery measure (a Beta reputation); ranked by the interval's
            lower bound.
          </p>
          {rankings.error && <p class="error">{rankings.error}</p>}
          {rankings.data ? <RankingsTable rankings={rankings.data.items} /> : <p role="status">Loading rankings…</p>}
        </section>
      </div>

      <section class="card market-section" aria-labelledby="listings-title">
        <h2 id="listings-title">Listings</h2>
        {listings.data ? (
          <ListingsTable listings={items} picked={cls} onPick={setPicked} />
        ) : (
          <p role="status">Loading listings…</p>
        )}
      </section>

      <section class="card market-section" aria-labelledby="book-title">
        <div class="page-head">
          <h2 id="book-title">Order book</h2>
          {classes.length > 0 && (
            <label>
              Class{' '}
              <select value={cls} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)}>
                {classes.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        {bookError && <p class="error">{bookError}</p>}
        {!cls && <p class="muted">No class to show: nothing is listed.</p>}
        {shown && (
          <div class="market-book">
            <DepthChart depth={shown} />
            <LevelsTable bids={shown.bids} asks={shown.asks} />
          </div>
        )}
      </section>

      <div class="market-grid market-trades">
        <section class="card" aria-labelledby="trades-title">
          <h2 id="trades-title">Your trades</h2>
          {mine.data?.refused ? (
            <p class="muted">Your roles do not trade.</p>
          ) : mine.data ? (
            <TradesTable trades={mine.data.trades} me={mine.data.wallet?.principalId ?? ''} />
          ) : (
            <p role="status">Loading trades…</p>
          )}
        </section>
        <section class="card" aria-labelledby="tape-title">
          <h2 id="tape-title">Recent trades on the market</h2>
          <Tape trades={tape} />
        </section>
      </div>
    </>
  );
}
