import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as R from './replies.ts';
import Type, { type Static } from 'typebox';
import { MsecError } from '../../core/index.ts';
import { PLATFORM_ORG, type Iam } from '../../iam/index.ts';
import { RULE_SET_ID } from '../detect/rules.ts';
import type { Monitor } from '../service.ts';
import { bearer, gate, readableOrgs } from './scope.ts';

const SetParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
const PutBody = Type.Object(
  {
    yaml: Type.String({ minLength: 1, maxLength: 1024 * 1024 }),
    file: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const AddBody = Type.Object(
  { ...PutBody.properties, id: Type.Optional(Type.String({ pattern: RULE_SET_ID.source })) },
  { additionalProperties: false },
);
const EnableBody = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });
const WebhookBody = Type.Object(
  {
    org: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    url: Type.String({ pattern: '^https?://', maxLength: 2000 }),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('slack')])),
    minSeverity: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    repeatMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 7 * 86_400_000 })),
    secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
  },
  { additionalProperties: false },
);

const tags = ['monitor'];
/** Detection content is platform-wide: one rule set for every city, managed by the platform's operators. */
const platformRule = (action: string) => ({
  security: { action, resource: () => ({ type: 'rule', org: PLATFORM_ORG }) },
});

/** Detection rules (hot-reloaded, validated) and notification webhooks. */
export async function ruleRoutes(app: FastifyInstance, monitor: Monitor, iam: Iam): Promise<void> {
  app.get(
    '/monitor/rules',
    {
      config: gate('monitor:rule:read'),
      schema: {
        tags,
        summary: 'Active detection content: the shipped pack and operator rule sets, with enabled state',
        response: { 200: R.RuleSets },
        security: bearer,
      },
    },
    async () => ({ items: monitor.rules.list(), engine: monitor.rules.engine.stats() }),
  );

  const put = async (req: FastifyRequest, id: string, body: Static<typeof PutBody>) => {
    const rules = await monitor.rules.put(
      id,
      body.yaml,
      body.file ?? `${id}.yml`,
      req.subject!.name,
      body.enabled ?? true,
    );
    req.auditNote = { resource: `rule-set id=${id}`, detail: { rules: rules.map((r) => r.id).slice(0, 50) } };
    return { set: id, rules };
  };

  app.post<{ Body: Static<typeof AddBody> }>(
    '/monitor/rules',
    {
      config: platformRule('monitor:rule:write'),
      schema: {
        tags,
        summary: 'Add an operator rule set (Sigma YAML, several documents allowed); errors name the file and field',
        response: { 201: R.RuleSet },
        body: AddBody,
        security: bearer,
      },
    },
    async (req, reply) => {
      const id =
        req.body.id ??
        (req.body.file ?? '')
          .replace(/\.ya?ml$/i, '')
          .replace(/[^A-Za-z0-9._-]/g, '-')
          .slice(0, 100);
      if (!id)
        throw new MsecError('MONITOR_RULE_SET_ID_INVALID', 'give the rule set an id (or a file name)', { status: 400 });
      if ((await monitor.rules.yamlOf(id)) !== undefined)
        throw new MsecError('MONITOR_RULE_SET_EXISTS', `rule set ${id} exists: PUT /monitor/rules/${id} to tune it`, {
          status: 409,
        });
      reply.status(201);
      return put(req, id, req.body);
    },
  );

  app.put<{ Params: Static<typeof SetParams>; Body: Static<typeof PutBody> }>(
    '/monitor/rules/:id',
    {
      config: platformRule('monitor:rule:write'),
      schema: {
        tags,
        summary: 'Replace (tune) an operator rule set; hot-reloaded, no restart',
        response: { 200: R.RuleSet },
        params: SetParams,
        body: PutBody,
        security: bearer,
      },
    },
    async (req) => put(req, req.params.id, req.body),
  );

  app.get<{ Params: Static<typeof SetParams> }>(
    '/monitor/rules/:id/yaml',
    {
      config: gate('monitor:rule:read'),
      schema: {
        tags,
        summary: "An operator rule set's YAML",
        params: SetParams,
        security: bearer,
        response: { 200: R.RuleYaml },
      },
    },
    async (req, reply) => {
      const yaml = await monitor.rules.yamlOf(req.params.id);
      if (yaml === undefined)
        throw new MsecError('MONITOR_RULE_NOT_FOUND', `no rule set ${req.params.id}`, { status: 404 });
      void reply.type('application/yaml');
      return yaml;
    },
  );

  app.patch<{ Params: Static<typeof SetParams>; Body: Static<typeof EnableBody> }>(
    '/monitor/rules/:id',
    {
      config: platformRule('monitor:rule:write'),
      schema: {
        tags,
        summary: 'Enable or disable a pack rule (by rule id) or an operator rule set',
        response: { 200: R.RuleSet },
        params: SetParams,
        body: EnableBody,
        security: bearer,
      },
    },
    async (req) => {
      await monitor.rules.setEnabled(req.params.id, req.body.enabled, req.subject!.name);
      req.auditNote = { resource: `rule id=${req.params.id}`, detail: { enabled: req.body.enabled } };
      return { id: req.params.id, enabled: req.body.enabled };
    },
  );

  app.delete<{ Params: Static<typeof SetParams> }>(
    '/monitor/rules/:id',
    {
      config: platformRule('monitor:rule:write'),
      schema: {
        tags,
        summary: 'Remove an operator rule set',
        params: SetParams,
        security: bearer,
        response: { 200: R.Removed },
      },
    },
    async (req) => {
      if (!(await monitor.rules.remove(req.params.id)))
        throw new MsecError('MONITOR_RULE_NOT_FOUND', `no operator rule set ${req.params.id}`, { status: 404 });
      return { removed: req.params.id };
    },
  );

  app.get<{ Querystring: { org?: string } }>(
    '/monitor/webhooks',
    {
      config: gate('monitor:webhook:read'),
      schema: {
        tags,
        summary: 'Notification webhooks (secrets not shown)',
        response: { 200: R.Webhooks },
        querystring: Type.Object(
          { org: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) },
          { additionalProperties: false },
        ),
        security: bearer,
      },
    },
    async (req) => {
      const orgs = readableOrgs(req, iam, 'monitor:webhook:read', 'webhook', req.query.org);
      let q = monitor.db
        .selectFrom('monitor_webhooks')
        .select(['id', 'org_id', 'url', 'format', 'min_severity', 'repeat_ms', 'enabled', 'created_at']);
      if (orgs !== 'all') q = q.where('org_id', 'in', orgs);
      return { items: await q.execute() };
    },
  );

  app.post<{ Body: Static<typeof WebhookBody> }>(
    '/monitor/webhooks',
    {
      config: {
        security: {
          action: 'monitor:webhook:write',
          resource: (req: FastifyRequest) => ({
            type: 'webhook',
            org: (req.body as { org?: string })?.org ?? req.subject?.org,
          }),
        },
      },
      schema: {
        tags,
        summary: 'Add a webhook (json or slack body, HMAC-signed); the secret is returned once',
        response: { 201: R.Webhook },
        body: WebhookBody,
        security: bearer,
      },
    },
    async (req, reply) => {
      const b = req.body;
      const org = b.org ?? req.subject!.org;
      const hook = await monitor.addWebhook(org, {
        url: b.url,
        format: b.format ?? 'json',
        minSeverity: b.minSeverity ?? 3,
        repeatMs: b.repeatMs ?? 3_600_000,
        secret: b.secret,
      });
      req.auditNote = { resource: `webhook id=${hook.id}`, orgId: org, detail: { url: hook.url, format: hook.format } };
      reply.status(201);
      return hook;
    },
  );

  app.delete<{ Params: Static<typeof SetParams> }>(
    '/monitor/webhooks/:id',
    {
      config: gate('monitor:webhook:write'),
      schema: { tags, summary: 'Remove a webhook', params: SetParams, security: bearer, response: { 200: R.Removed } },
    },
    async (req) => {
      const row = await monitor.db
        .selectFrom('monitor_webhooks')
        .select(['id', 'org_id'])
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!row || !iam.decide(req.subject!, 'monitor:webhook:write', { type: 'webhook', org: row.org_id }).allow)
        throw new MsecError('MONITOR_WEBHOOK_NOT_FOUND', `no webhook ${req.params.id}`, { status: 404 });
      req.authorize('monitor:webhook:write', { type: 'webhook', id: row.id, org: row.org_id });
      await monitor.removeWebhook(row.id);
      return { removed: row.id };
    },
  );
}
