import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import Type, { type Static } from 'typebox';
import type { Iam } from '../../iam/index.ts';
import type { FeedOrgChange } from '../alerts/alert-feed.ts';
import { alertsByIds, alertView, type AlertView } from '../alerts/lifecycle.ts';
import type { Monitor } from '../service.ts';
import { AlertStream } from './replies.ts';
import { bearer, gate, readableOrgs } from './scope.ts';

/** The credential the request authenticated with (the console's cookie hook puts its token here too). */
function credentialOf(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (m) return m[1];
  const k = req.headers['x-api-key'];
  return typeof k === 'string' && k.length > 0 ? k : undefined;
}

const StreamQuery = Type.Object(
  { org: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) },
  { additionalProperties: false },
);

interface Stream {
  res: ServerResponse;
  readable: (org: string, action: string) => boolean;
}

const send = (res: ServerResponse, event: string, data: unknown) =>
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

/**
 * Live alerts over server-sent events: `alerts` (the views of alerts created, grown or triaged),
 * `events` (events stored per organisation) and `end` (the credential no longer holds). Every
 * message is authorised again for the stream's subject, per organisation; the stream is a live
 * session of IAM, so a logout, a revocation or a change of rights closes it at once.
 */
export async function streamRoutes(app: FastifyInstance, monitor: Monitor, iam: Iam): Promise<void> {
  const streams = new Set<Stream>();
  app.addHook('preClose', async () => {
    for (const s of streams) s.res.end();
  });

  // One query per flush, whatever the number of streams.
  monitor.feed.on((changes) => {
    if (streams.size === 0) return;
    void deliver(changes).catch(() => undefined);
  });
  const deliver = async (changes: FeedOrgChange[]) => {
    const rows = await alertsByIds(
      monitor.db,
      changes.flatMap((c) => c.alertIds),
    );
    const byId = new Map(rows.map((r) => [r.id, alertView(r)]));
    for (const s of streams) {
      const alerts: AlertView[] = [];
      const counts: Record<string, number> = {};
      let truncated = false;
      for (const c of changes) {
        if (c.alertIds.length > 0 && s.readable(c.org, 'monitor:alert:read')) {
          for (const id of c.alertIds) {
            const v = byId.get(id);
            if (v) alerts.push(v);
          }
          truncated ||= c.truncated;
        }
        if (c.events > 0 && s.readable(c.org, 'monitor:event:read')) counts[c.org] = c.events;
      }
      if (alerts.length > 0 || truncated) send(s.res, 'alerts', { alerts, truncated });
      if (Object.keys(counts).length > 0) send(s.res, 'events', { counts });
    }
  };

  app.get<{ Querystring: Static<typeof StreamQuery> }>(
    '/monitor/stream',
    {
      config: gate('monitor:alert:read'),
      schema: {
        tags: ['monitor'],
        summary: 'Server-sent events: alerts created or changed, and event counts, for the organisations you may read',
        querystring: StreamQuery,
        security: bearer,
        response: { 200: AlertStream },
      },
    },
    async (req, reply) => {
      const subject = req.subject!;
      const scope = readableOrgs(req, iam, 'monitor:alert:read', 'alert', req.query.org);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-content-type-options': 'nosniff',
        'x-request-id': req.id,
      });
      // The scope fixed at connect, then the policy asked again for every message.
      const stream: Stream = {
        res,
        readable: (org, action) =>
          (scope === 'all' || scope.includes(org)) &&
          iam.decide(subject, action, { type: action.split(':')[1]!, org }).allow,
      };
      res.write('retry: 3000\n\n');
      send(res, 'hello', { orgs: scope });
      streams.add(stream);
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      const credential = credentialOf(req);
      const untrack = iam.sessions.track({
        subject,
        recheck: () => (credential ? iam.authenticate(credential) : Promise.reject(new Error('no credential'))),
        end: (reason) => {
          send(res, 'end', { reason });
          res.end();
        },
      });
      res.on('close', () => {
        streams.delete(stream);
        untrack();
        clearInterval(ping);
      });
    },
  );
}
