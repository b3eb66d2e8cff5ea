import Type, { type Static } from 'typebox';
import { MsecError, assertValid } from '../../core/index.ts';
import type { PolicyStatement, ResourceRef } from '../policy.ts';
import type { Subject } from '../subject.ts';
import { ROLES, type Role } from '../roles.ts';

/**
 * A central policy statement as the API stores it: pure data, no code. Every condition present must
 * hold (AND); a list holds when one of its entries matches (OR). Strings in `principals`, `resource.types`,
 * `resource.ids` and string attribute values are globs: `*` matches any run of characters.
 * See docs/iam.md "Central policies".
 */
const Glob = Type.String({ minLength: 1, maxLength: 256 });
const Scalar = Type.Union([Glob, Type.Number(), Type.Boolean()]);
export const PolicyDocumentSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }),
    effect: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    /** Roles the statement applies to; `*` (the default) is everyone. */
    roles: Type.Optional(
      Type.Union([Type.Literal('*'), Type.Array(Type.Union(ROLES.map((r) => Type.Literal(r))), { minItems: 1 })]),
    ),
    /** Principal names or ids (globs); absent = any principal with one of the roles. */
    principals: Type.Optional(Type.Array(Glob, { minItems: 1, maxItems: 100 })),
    /** Organisations of the principal; absent = any. */
    orgs: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }), { minItems: 1, maxItems: 100 })),
    actions: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 64 }),
    /** Relation of the resource to the principal, as module statements use it; default `any`. */
    scope: Type.Optional(
      Type.Union([Type.Literal('any'), Type.Literal('own-org'), Type.Literal('self'), Type.Literal('platform')]),
    ),
    resource: Type.Optional(
      Type.Object(
        {
          types: Type.Optional(Type.Array(Glob, { minItems: 1, maxItems: 32 })),
          ids: Type.Optional(Type.Array(Glob, { minItems: 1, maxItems: 100 })),
          orgs: Type.Optional(Type.Array(Glob, { minItems: 1, maxItems: 100 })),
          /** Resource attribute equality (provider, service, resource of a twin; grantee; …). */
          attributes: Type.Optional(
            Type.Record(
              Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]{0,63}$' }),
              Type.Union([Scalar, Type.Array(Scalar, { minItems: 1, maxItems: 100 })]),
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
// TypeBox cannot infer literals from a mapped union: the roles are typed by hand.
export type PolicyDocument = Omit<Static<typeof PolicyDocumentSchema>, 'roles'> & { roles?: Role[] | '*' };

/** The id every central statement carries in the engine, so it can never be taken for a module's. */
export const CENTRAL_PREFIX = 'central:';

function globRegex(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

type Matcher = (value: unknown) => boolean;

function scalarMatcher(expected: string | number | boolean): Matcher {
  if (typeof expected !== 'string') return (v) => v === expected;
  const re = globRegex(expected);
  return (v) => (typeof v === 'string' || typeof v === 'number') && re.test(String(v));
}

function anyOf(list: ReadonlyArray<string | number | boolean>): Matcher {
  const ms = list.map(scalarMatcher);
  return (v) => ms.some((m) => m(v));
}

/** The condition of a document as the engine's `when` (absent when the document has none). */
function compileCondition(doc: PolicyDocument): PolicyStatement['when'] {
  const tests: Array<(s: Subject, r: ResourceRef) => boolean> = [];
  if (doc.principals) {
    const m = anyOf(doc.principals);
    tests.push((s) => m(s.name) || m(s.id));
  }
  if (doc.orgs) {
    const orgs = new Set(doc.orgs);
    tests.push((s) => orgs.has(s.org));
  }
  const r = doc.resource;
  if (r?.types) {
    const m = anyOf(r.types);
    tests.push((_s, res) => m(res.type));
  }
  if (r?.ids) {
    const m = anyOf(r.ids);
    tests.push((_s, res) => res.id !== undefined && m(res.id));
  }
  if (r?.orgs) {
    const m = anyOf(r.orgs);
    tests.push((_s, res) => res.org !== undefined && m(res.org));
  }
  for (const [name, expected] of Object.entries(r?.attributes ?? {})) {
    const m = anyOf(Array.isArray(expected) ? expected : [expected]);
    tests.push((_s, res) => res.attributes !== undefined && m(res.attributes[name]));
  }
  if (tests.length === 0) return undefined;
  return (s, res) => tests.every((t) => t(s, res));
}

/** A stored document as a statement of the one engine. */
export function compileDocument(doc: PolicyDocument): PolicyStatement {
  const when = compileCondition(doc);
  return {
    id: `${CENTRAL_PREFIX}${doc.id}`,
    effect: doc.effect,
    roles: doc.roles ?? '*',
    actions: doc.actions,
    scope: doc.scope ?? 'any',
    ...(when ? { when } : {}),
    ...(doc.description ? { description: doc.description } : {}),
  };
}

const ACTION_PATTERN = /^(\*|[a-z][a-z0-9-]*)(:(\*|[a-z][a-z0-9-]*))*$/;

/**
 * Schema check, then meaning: each action pattern is well formed and names a module that exists
 * (`vualt:*` is a typo that would silently match nothing), `*` only as a whole segment, and a
 * `self` scope is not combined with resource orgs it can never reach. Throws IAM_POLICY_INVALID.
 */
export function validateDocument(input: unknown, knownPrefixes: ReadonlySet<string>): PolicyDocument {
  let doc: PolicyDocument;
  try {
    doc = assertValid(PolicyDocumentSchema, input, 'policy') as PolicyDocument;
  } catch (err) {
    const e = err as MsecError;
    throw new MsecError('IAM_POLICY_INVALID', e.message, { details: e.details });
  }
  const problems: string[] = [];
  for (const a of doc.actions) {
    if (!ACTION_PATTERN.test(a)) {
      problems.push(`action ${JSON.stringify(a)} is not module:resource:verb with * as whole segments`);
      continue;
    }
    const prefix = a.split(':')[0]!;
    if (prefix !== '*' && !knownPrefixes.has(prefix))
      problems.push(`action ${JSON.stringify(a)}: unknown action prefix ${JSON.stringify(prefix)}`);
  }
  if (doc.scope === 'self' && doc.resource?.orgs)
    problems.push('scope "self" applies to the principal itself; resource.orgs cannot narrow it');
  if (doc.scope === 'platform' && doc.orgs && doc.orgs.some((o) => o !== 'platform'))
    problems.push('scope "platform" only matches principals of the platform organisation; orgs names others');
  if (problems.length > 0)
    throw new MsecError('IAM_POLICY_INVALID', `policy ${doc.id}: ${problems[0]}`, { details: { problems } });
  return doc;
}
