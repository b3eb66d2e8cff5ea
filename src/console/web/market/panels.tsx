import { ApiFailure, errorText } from '../api.ts';
import {
  msec,
  period,
  type Listing,
  type Ranking,
  type StatementLine,
  type TapeTrade,
  type Trade,
  type Wallet,
} from './types.ts';

const time = (ms: number) => new Date(ms).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });

export function ListingsTable({
  listings,
  picked,
  onPick,
}: {
  listings: Listing[];
  picked: string | undefined;
  onPick: (cls: string) => void;
}) {
  if (listings.length === 0)
    return <p class="muted">No listing yet: an organisation lists one of its hub resources.</p>;
  return (
    <div class="scroll-x">
      <table data-testid="listings">
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col">Provider</th>
            <th scope="col">Resource</th>
            <th scope="col">Kind</th>
            <th scope="col" class="num">
              Price
            </th>
            <th scope="col">Licence</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {listings.map((l) => (
            <tr key={l.id} data-testid="listing-row" data-listing={l.id} class={l.class === picked ? 'picked' : ''}>
              <td>
                <button
                  type="button"
                  class="link"
                  aria-pressed={l.class === picked}
                  aria-label={`Show the order book of ${l.class}`}
                  onClick={() => onPick(l.class)}
                >
                  {l.class}
                </button>
              </td>
              <td>{l.providerOrg}</td>
              <td>
                <span class="mono">
                  {l.provider}/{l.service}/{l.resource}
                </span>
                {l.terms.description && <div class="muted small">{l.terms.description}</div>}
              </td>
              <td>{l.kind}</td>
              <td class="num" data-testid="listing-price">
                {l.terms.pricing === 'per-period'
                  ? `${msec(l.terms.price)} / ${period(l.terms.periodSeconds)}`
                  : `${msec(l.terms.price)} / message`}
              </td>
              <td>{l.terms.licence}</td>
              <td>{l.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function LevelsTable({ bids, asks }: { bids: [number, number][]; asks: [number, number][] }) {
  const rows = Math.max(bids.length, asks.length);
  return (
    <table data-testid="book-levels" class="small">
      <caption class="muted">Best levels first</caption>
      <thead>
        <tr>
          <th scope="col" class="num">
            Bid qty
          </th>
          <th scope="col" class="num">
            Bid
          </th>
          <th scope="col" class="num">
            Ask
          </th>
          <th scope="col" class="num">
            Ask qty
          </th>
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: rows }, (_, i) => (
          <tr key={i}>
            <td class="num bid">{bids[i]?.[1] ?? ''}</td>
            <td class="num bid" data-testid="bid-price">
              {bids[i] ? msec(bids[i][0]) : ''}
            </td>
            <td class="num ask" data-testid="ask-price">
              {asks[i] ? msec(asks[i][0]) : ''}
            </td>
            <td class="num ask">{asks[i]?.[1] ?? ''}</td>
          </tr>
        ))}
        {rows === 0 && (
          <tr>
            <td colSpan={4} class="muted">
              No open order
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

export function TradesTable({ trades, me }: { trades: Trade[]; me: string }) {
  if (trades.length === 0) return <p class="muted">You have no trade yet.</p>;
  return (
    <div class="scroll-x">
      <table data-testid="trades">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Class</th>
            <th scope="col">Side</th>
            <th scope="col" class="num">
              Price
            </th>
            <th scope="col" class="num">
              Qty
            </th>
            <th scope="col" class="num">
              Amount
            </th>
            <th scope="col">Seller → buyer</th>
            <th scope="col">Ledger</th>
          </tr>
        </thead>
        <tbody>
          {trades.slice(0, 20).map((t) => (
            <tr key={t.id} data-testid="trade-row" data-trade={t.id}>
              <td>{time(t.createdAt)}</td>
              <td>{t.class}</td>
              <td>{t.buyerId === me ? 'bought' : 'sold'}</td>
              <td class="num">{msec(t.price)}</td>
              <td class="num">{t.quantity}</td>
              <td class="num">{msec(t.amount)}</td>
              <td>
                {t.sellerOrg} → {t.buyerOrg}
              </td>
              <td>{t.ledgerIndex === null ? 'pending' : `#${t.ledgerIndex}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Tape({ trades }: { trades: TapeTrade[] }) {
  if (trades.length === 0) return <p class="muted">No trade on the market yet.</p>;
  return (
    <ol class="bars small" data-testid="tape" aria-live="polite">
      {trades.map((t) => (
        <li key={t.id} data-testid="tape-trade">
          <span class="label">
            {new Date(t.at).toLocaleTimeString()} {t.class}
          </span>
          <span class="num">{msec(t.price)}</span>
          <span class="num">×{t.quantity}</span>
        </li>
      ))}
    </ol>
  );
}

export function WalletCard({
  wallet,
  statement,
  error,
}: {
  wallet: Wallet | undefined;
  statement: StatementLine[];
  error: unknown;
}) {
  if (error instanceof ApiFailure && error.error.status === 403)
    return <p class="muted">Your roles do not trade, so you have no wallet here.</p>;
  if (error) return <p class="error">{errorText(error)}</p>;
  if (!wallet) return <p role="status">Loading wallet…</p>;
  return (
    <>
      <dl class="kv" data-testid="wallet">
        <dt>Available</dt>
        <dd class="balance" data-testid="wallet-available" data-minor={wallet.available}>
          {msec(wallet.available)}
        </dd>
        <dt>In escrow (open bids)</dt>
        <dd data-testid="wallet-escrow" data-minor={wallet.escrow}>
          {msec(wallet.escrow)}
        </dd>
      </dl>
      <h3 class="small">History</h3>
      {statement.length === 0 ? (
        <p class="muted">No entry yet.</p>
      ) : (
        <table data-testid="statement" class="small">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Account</th>
              <th scope="col" class="num">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            {statement.slice(0, 12).map((e) => (
              <tr key={e.entryId} data-testid="statement-row">
                <td>{time(e.createdAt)}</td>
                <td>
                  {e.kind}
                  {e.memo && <span class="muted"> · {e.memo}</span>}
                </td>
                <td>{e.account.split(':')[0]}</td>
                <td class={`num ${e.amount < 0 ? 'ask' : 'bid'}`}>
                  {e.amount > 0 ? '+' : ''}
                  {msec(e.amount)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function RankingsTable({ rankings }: { rankings: Ranking[] }) {
  if (rankings.length === 0) return <p class="muted">No provider has a listing yet.</p>;
  return (
    <div class="scroll-x">
      <table data-testid="rankings">
        <thead>
          <tr>
            <th scope="col" class="num">
              Rank
            </th>
            <th scope="col">Provider</th>
            <th scope="col">Trust score</th>
            <th scope="col">95 % interval</th>
            <th scope="col" class="num">
              Evidence
            </th>
          </tr>
        </thead>
        <tbody>
          {[...rankings]
            .sort((a, b) => a.rank - b.rank)
            .map((r) => (
              <tr key={r.provider} data-testid="ranking-row" data-provider={r.provider}>
                <td class="num">{r.rank}</td>
                <td>{r.provider}</td>
                <td class="nowrap">
                  <meter
                    class="score"
                    min={0}
                    max={1}
                    low={0.4}
                    high={0.7}
                    optimum={1}
                    value={r.score}
                    aria-label={`Trust score of ${r.provider}`}
                  />{' '}
                  <span data-testid="ranking-score">{r.score.toFixed(2)}</span>
                </td>
                <td class="nowrap">
                  {r.low.toFixed(2)} – {r.high.toFixed(2)}
                </td>
                <td class="num" data-testid="ranking-evidence">
                  {r.evidence}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
