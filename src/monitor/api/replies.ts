/**
 * What the monitor's query, alert and rule routes answer (their `schema.response`). The
 * monitor's records (ECS events, alerts, rule sets) are declared open: known fields named,
 * the rest kept.
 */
import Type from 'typebox';
import { mediaReply, openObject } from '../../core/index.ts';

const Doc = (description: string) => openObject({}, { description });
const Page = (description: string) =>
  openObject({ items: Type.Optional(Type.Array(Doc(description))) }, { description: `${description}s` });

export const Events = Page('an ECS event with its original record');
export const Histogram = Doc('event counts per time bucket');
export const Top = Doc('top-N values with counts');
export const Stats = Doc('ingest counters, engine and retention state');
export const Alerts = Page('an alert');
export const Alert = Doc('an alert with its comments');
export const AlertEvents = Doc('the events linked to the alert, and its flow');
export const BulkResult = Doc('the outcome per alert');
export const Suppressions = Page('a suppression with its hit count');
export const Suppression = Doc('a suppression');
export const RuleSets = Page('a rule or rule set with its enabled state');
export const RuleSet = Doc('an operator rule set');
export const RuleYaml = {
  description: 'the rule set as Sigma YAML',
  content: { 'application/yaml': { schema: Type.String() } },
};
export const Webhooks = Page('a webhook (secret not shown)');
export const Webhook = Doc('a webhook; its secret only in the answer that created it');
export const Removed = Doc('what was removed');

/** The Elasticsearch-compatible endpoints answer Elasticsearch's shapes, errors included. */
const EsError = openObject(
  { error: Type.Unknown(), status: Type.Integer() },
  { description: 'an Elasticsearch error body' },
);
export const esResponses = {
  200: openObject({}, { description: 'the Elasticsearch-compatible answer' }),
  ...Object.fromEntries([400, 401, 403, 404, 413, 429, 500, 503].map((s) => [s, EsError])),
};

export const AlertCount = Type.Object({ count: Type.Integer({ minimum: 0 }) });

const MatrixCell = Type.Object({
  id: Type.String({ description: 'ATT&CK technique id' }),
  name: Type.String(),
  alerts: Type.Integer(),
  events: Type.Integer(),
});
export const Matrix = openObject(
  {
    columns: Type.Array(
      Type.Object({
        id: Type.String({ description: 'tactic id' }),
        name: Type.String(),
        matrix: Type.Union([Type.Literal('enterprise'), Type.Literal('ics')]),
        techniques: Type.Array(MatrixCell),
      }),
    ),
    unknown: Type.Array(MatrixCell, { description: 'technique ids not in the catalogue' }),
    maxEvents: Type.Integer(),
  },
  { description: 'tactics as columns, techniques with alert and event counts' },
);

export const AlertStream = mediaReply(
  'text/event-stream',
  'server-sent events: `hello` (the organisations in scope), `alerts` (created or changed), `events` (counts), `end` when the session ends',
);
