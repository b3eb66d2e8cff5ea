import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import Type, { type Static } from 'typebox';
import { mediaReply, MsecError } from '../../core/index.ts';
import { IAM, PLATFORM_ORG } from '../../iam/index.ts';
import type { ModuleContext } from '../../core/index.ts';
import { dataFilterMayDeliver, dataTopicRef, validFilter } from '../broker/topic-acl.ts';
import { readingJson } from '../broker/reading-message.ts';
import { TOPICS } from '../contracts.ts';
import { readTerms } from '../twins/access.ts';
import { readingUnderTerms } from '../twins/delivery-terms.ts';
import type { GrantStore } from '../twins/grant-store.ts';
import { BROWSE_ACTION } from '../twins/policy.ts';
import { pathOf, type PathParams } from '../twins/services.ts';
import type { TwinStore } from '../twins/twin-store.ts';
import { topicMatches } from '../broker/topic-match.ts';
import type { LiveFeed } from './live-feed.ts';

/** The bearer credential the request authenticated with (security.ts accepts these two headers). */
function credentialOf(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (m) return m[1];
  const k = req.headers['x-api-key'];
  return typeof k === 'string' && k.length > 0 ? k : undefined;
}

const SubscribeQuery = Type.Object(
  { topic: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
const ReadingStream = mediaReply(
  'text/event-stream',
  'server-sent events: `event: reading` with the reading JSON (topic added), `event: end` when the session ends',
);
const Seg = Type.String({ minLength: 1, maxLength: 130 });
const ResourceParams = Type.Object({ provider: Seg, service: Seg, resource: Seg });

/**
 * SUBSCRIBE over server-sent events for browsers: the stream carries every accepted reading on
 * the topic filter that the caller may READ, checked per reading like MQTT deliveries.
 */
export async function sseRoutes(
  app: FastifyInstance,
  ctx: ModuleContext,
  feed: LiveFeed,
  grants: GrantStore,
  twins: TwinStore,
): Promise<void> {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  const stream = (req: FastifyRequest, reply: FastifyReply, filter: string) => {
    const s = req.subject!;
    if (!validFilter(filter) || !filter.startsWith('data/'))
      throw new MsecError('VALIDATION_FAILED', 'topic must be an MQTT filter under data/, e.g. data/santander/#');
    const platformAdmin = s.org === PLATFORM_ORG && s.roles.includes('admin');
    if (!dataFilterMayDeliver(filter, s, grants.all(), platformAdmin))
      throw new MsecError('FORBIDDEN', 'no permission to read anything this topic matches');
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
      'x-request-id': req.id,
    });
    res.write(`: subscribed to ${filter}\n\n`);
    open.add(res);
    const off = feed.on((r) => {
      const topic = TOPICS.data(r.org, r.provider, r.service, r.resource);
      if (!topicMatches(filter, topic)) return;
      const ref = dataTopicRef(topic);
      if (!ref || !ctx.access.decide(s, 'hub:twin:read', ref).allow) return;
      const reading = readingUnderTerms(readingJson(r), readTerms(grants.all(), s, ref));
      if (!reading) return;
      res.write(`event: reading\nid: ${r.deviceId}:${r.counter}\ndata: ${JSON.stringify({ topic, ...reading })}\n\n`);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    // The stream lives only as long as its credential (expiry, revocation, changed rights).
    const credential = credentialOf(req);
    const iam = ctx.services.get(IAM);
    const untrack = iam.sessions.track({
      subject: s,
      recheck: () => (credential ? iam.authenticate(credential) : Promise.reject(new Error('no credential'))),
      end: (reason) => {
        res.write(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
        res.end();
      },
    });
    const end = () => {
      off();
      untrack();
      clearInterval(ping);
      open.delete(res);
    };
    res.on('close', end);
  };

  app.get<{ Querystring: Static<typeof SubscribeQuery> }>(
    '/subscribe',
    {
      config: { security: { action: BROWSE_ACTION } },
      schema: {
        tags: ['hub'],
        summary: 'SUBSCRIBE: server-sent events of readings on an MQTT topic filter you may read',
        querystring: SubscribeQuery,
        response: { 200: ReadingStream },
      },
    },
    async (req, reply) => stream(req, reply, req.query.topic),
  );

  app.get<{ Params: PathParams }>(
    '/providers/:provider/services/:service/resources/:resource/SUBSCRIBE',
    {
      config: { security: { action: BROWSE_ACTION } },
      schema: {
        tags: ['hub'],
        summary: 'SUBSCRIBE to one resource (server-sent events)',
        params: ResourceParams,
        response: { 200: ReadingStream },
      },
    },
    async (req, reply) => {
      const path = pathOf(req.params);
      const provider = await twins.getProvider(path.provider);
      if (!provider) throw new MsecError('NOT_FOUND', `provider ${path.provider} not found`);
      stream(req, reply, TOPICS.data(provider.org, path.provider, path.service, path.resource));
    },
  );
}
