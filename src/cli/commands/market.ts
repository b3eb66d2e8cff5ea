import { InvalidArgumentError, Option, type Command } from 'commander';
import { MsecError } from '../../core/errors.ts';
import { formatTokens, parseTokens } from '../../market/amounts.ts';
import { MarketClient } from '../../market/client.ts';
import type { CliIo } from '../io.ts';
import { parsePositiveInt } from '../options.ts';

interface Conn {
  hub: string;
  token?: string;
}

function withHub(cmd: Command): Command {
  return cmd
    .addOption(new Option('--hub <url>', 'platform base URL').env('MSEC_HUB_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <token>', 'access token or API key').env('MSEC_TOKEN'));
}

function client(o: Conn): MarketClient {
  if (!o.token) throw new MsecError('VALIDATION_FAILED', 'pass --token TOKEN (or set MSEC_TOKEN)');
  return new MarketClient({ baseUrl: o.hub, token: o.token });
}

/** Token amounts on the command line are MSEC with up to six decimals ("2.5"). */
function tokens(value: string): number {
  try {
    return parseTokens(value);
  } catch {
    throw new InvalidArgumentError('must be an amount of MSEC with at most 6 decimals, e.g. 2.5');
  }
}

interface Listing {
  id: string;
  class: string;
  kind: string;
  providerOrg: string;
  provider: string;
  service: string;
  resource: string;
  status: string;
  terms: { pricing: string; price: number; periodSeconds: number; licence: string };
}
interface Order {
  id: string;
  side: string;
  type: string;
  price: number | null;
  quantity: number;
  remaining: number;
  status: string;
  class: string;
}
interface Trade {
  id: string;
  price: number;
  quantity: number;
  amount: number;
  accessUntil: number;
}

const orderLine = (o: Order) =>
  `${o.id}  ${o.side} ${o.type} ${o.price === null ? 'market' : formatTokens(o.price)} × ${o.quantity} (open ${o.remaining})  ${o.status}  ${o.class}`;
const tradeLine = (t: Trade) =>
  `trade ${t.id}: ${t.quantity} × ${formatTokens(t.price)} = ${formatTokens(t.amount)} MSEC, access until ${new Date(t.accessUntil).toISOString()}`;

export function registerMarketCommands(program: Command, io: CliIo): void {
  const market = program
    .command('market')
    .description('the IoT marketplace: list hub streams, trade them for MSEC tokens, rate providers');

  withHub(
    market
      .command('list')
      .description('open listings')
      .option('--class <class>', 'only this listing class')
      .option('--all', 'closed ones too'),
  ).action(async (o: Conn & { class?: string; all?: boolean }) => {
    const q = new URLSearchParams({ ...(o.all ? {} : { status: 'open' }), ...(o.class ? { class: o.class } : {}) });
    const { items } = await client(o).call<{ items: Listing[] }>('GET', `/listings?${q}`);
    for (const l of items)
      io.out(
        `${l.id}  ${l.kind} ${l.provider}/${l.service}/${l.resource}  ${formatTokens(l.terms.price)} MSEC ${l.terms.pricing} (${l.terms.periodSeconds} s)  ${l.terms.licence}  by ${l.providerOrg}  class ${l.class}  ${l.status}`,
      );
    if (items.length === 0) io.out('no listings');
  });

  withHub(
    market
      .command('offer')
      .description('list a hub resource your organisation owns')
      .requiredOption('--provider <p>')
      .requiredOption('--service <s>')
      .requiredOption('--resource <r>')
      .requiredOption('--price <msec>', 'price per period (or per message)', tokens)
      .option('--period <seconds>', 'access one unit buys', parsePositiveInt, 3600)
      .addOption(
        new Option('--pricing <how>', 'how the price is quoted')
          .choices(['per-period', 'per-message'])
          .default('per-period'),
      )
      .addOption(new Option('--kind <kind>').choices(['live', 'history', 'aggregate', 'service']).default('live'))
      .option('--promised <n>', 'messages promised per period (basis of refunds)', parsePositiveInt)
      .option('--licence <licence>', 'licence of the data', 'CC-BY-4.0')
      .option('--class <class>', 'trade in an existing class'),
  ).action(
    async (
      o: Conn & {
        provider: string;
        service: string;
        resource: string;
        price: number;
        period: number;
        pricing: string;
        kind: string;
        promised?: number;
        licence: string;
        class?: string;
      },
    ) => {
      const l = await client(o).call<Listing>('POST', '/listings', {
        kind: o.kind,
        provider: o.provider,
        service: o.service,
        resource: o.resource,
        ...(o.class ? { class: o.class } : {}),
        terms: {
          pricing: o.pricing,
          price: o.price,
          periodSeconds: o.period,
          licence: o.licence,
          ...(o.promised ? { promisedMessagesPerPeriod: o.promised } : {}),
        },
      });
      io.out(`listed ${l.id} (class ${l.class})`);
    },
  );

  for (const side of ['bid', 'ask'] as const) {
    withHub(
      market
        .command(side)
        .description(
          side === 'bid'
            ? 'buy periods of access in the book (a limit order with --price, else a market order)'
            : 'sell periods of access to your listing',
        )
        .option('--listing <id>', side === 'bid' ? 'a listing of the class' : 'the listing you sell')
        .option('--class <class>', 'the listing class (bids)')
        .requiredOption('--quantity <n>', 'periods', parsePositiveInt)
        .option('--price <msec>', 'limit price per period', tokens)
        .option('--ttl <seconds>', 'leave the book after this long', parsePositiveInt)
        .option('--idempotency-key <key>', 'retrying with the same key never places twice'),
    ).action(
      async (
        o: Conn & {
          listing?: string;
          class?: string;
          quantity: number;
          price?: number;
          ttl?: number;
          idempotencyKey?: string;
        },
      ) => {
        if (side === 'ask' && (!o.listing || o.price === undefined))
          throw new MsecError('VALIDATION_FAILED', 'an ask needs --listing and --price');
        const r = await client(o).call<{ order: Order; trades: Trade[] }>('POST', '/orders', {
          side,
          type: o.price === undefined ? 'market' : 'limit',
          quantity: o.quantity,
          ...(o.listing ? { listingId: o.listing } : {}),
          ...(o.class ? { class: o.class } : {}),
          ...(o.price !== undefined ? { price: o.price } : {}),
          ...(o.ttl ? { ttlSeconds: o.ttl } : {}),
          ...(o.idempotencyKey ? { idempotencyKey: o.idempotencyKey } : {}),
        });
        io.out(orderLine(r.order));
        for (const t of r.trades) io.out(tradeLine(t));
      },
    );
  }

  withHub(
    market
      .command('buy')
      .description("buy now at the listing's fixed price")
      .argument('<listing>')
      .option('--quantity <n>', 'periods', parsePositiveInt, 1)
      .option('--idempotency-key <key>'),
  ).action(async (listing: string, o: Conn & { quantity: number; idempotencyKey?: string }) => {
    const r = await client(o).call<{ trade: Trade }>('POST', `/listings/${encodeURIComponent(listing)}/buy`, {
      quantity: o.quantity,
      ...(o.idempotencyKey ? { idempotencyKey: o.idempotencyKey } : {}),
    });
    io.out(tradeLine(r.trade));
  });

  withHub(market.command('cancel').description('cancel an open order').argument('<order>')).action(
    async (id: string, o: Conn) =>
      io.out(orderLine(await client(o).call<Order>('DELETE', `/orders/${encodeURIComponent(id)}`))),
  );

  withHub(
    market
      .command('orders')
      .description('your orders')
      .addOption(new Option('--status <s>').choices(['open', 'filled', 'cancelled', 'expired'])),
  ).action(async (o: Conn & { status?: string }) => {
    const { items } = await client(o).call<{ items: Order[] }>(
      'GET',
      `/orders${o.status ? `?status=${o.status}` : ''}`,
    );
    for (const x of items) io.out(orderLine(x));
    if (items.length === 0) io.out('no orders');
  });

  withHub(
    market
      .command('rate')
      .description('score a trade you bought, once')
      .argument('<trade>')
      .argument('<score>', '1-5', (v: string) => {
        if (!/^[1-5]$/.test(v)) throw new InvalidArgumentError('must be a whole number from 1 to 5');
        return Number(v);
      }),
  ).action(async (trade: string, score: number, o: Conn) => {
    const r = await client(o).call<{ delivered: number | null }>(
      'POST',
      `/trades/${encodeURIComponent(trade)}/rating`,
      { score },
    );
    io.out(
      `rated ${trade}: ${score}${r.delivered === null ? '' : ` (hub: ${(r.delivered * 100).toFixed(0)} % delivered)`}`,
    );
  });

  withHub(
    market
      .command('rankings')
      .description('provider reputations: score, 95 % interval, evidence')
      .argument('[provider]'),
  ).action(async (provider: string | undefined, o: Conn) => {
    type R = { provider: string; rank: number; score: number; low: number; high: number; evidence: number };
    const c = client(o);
    const items = provider
      ? [await c.call<R>('GET', `/rankings/${encodeURIComponent(provider)}`)]
      : (await c.call<{ items: R[] }>('GET', '/rankings')).items;
    for (const r of items)
      io.out(
        `${String(r.rank).padStart(3)}. ${r.provider}  ${r.score.toFixed(3)} [${r.low.toFixed(3)}, ${r.high.toFixed(3)}]  evidence ${r.evidence}`,
      );
    if (items.length === 0) io.out('no providers');
  });

  withHub(market.command('balance').description('your MSEC balance')).action(async (o: Conn) => {
    const b = await client(o).call<{ available: number; escrow: number }>('GET', '/wallet');
    io.out(`available ${formatTokens(b.available)} MSEC, in escrow ${formatTokens(b.escrow)} MSEC`);
  });

  withHub(
    market
      .command('mint')
      .description("mint MSEC into a principal's wallet (market operator)")
      .argument('<principal>')
      .argument('<amount>', 'MSEC', tokens)
      .option('--idempotency-key <key>'),
  ).action(async (principalId: string, amount: number, o: Conn & { idempotencyKey?: string }) => {
    await client(o).call('POST', '/mint', {
      principalId,
      amount,
      ...(o.idempotencyKey ? { idempotencyKey: o.idempotencyKey } : {}),
    });
    io.out(`minted ${formatTokens(amount)} MSEC to ${principalId}`);
  });
}
