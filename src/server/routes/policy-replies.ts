/** What the central-policy routes answer (their `schema.response`; Fastify serialises with these). */
import Type from 'typebox';
import { errorReplies, openObject } from '../../core/index.ts';

/** A stored statement as the API shows it: the document's fields (declared open) and its version. */
export const PolicyView = openObject(
  {
    id: Type.String(),
    effect: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
    actions: Type.Array(Type.String()),
    version: Type.Integer(),
    updatedAt: Type.Integer(),
    updatedBy: Type.Union([Type.String(), Type.Null()]),
  },
  { description: 'a central policy statement with its version' },
);

export const PolicyList = Type.Object({ items: Type.Array(PolicyView) });

const PolicyChange = Type.Object({
  seq: Type.Integer(),
  policyId: Type.String(),
  version: Type.Integer(),
  change: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('removed')]),
  document: Type.Union([openObject({ id: Type.String() }), Type.Null()]),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  at: Type.Integer(),
});

export const PolicyHistory = Type.Object({ items: Type.Array(PolicyChange) });

export const PolicyExplanation = Type.Object(
  {
    allow: Type.Boolean(),
    statement: Type.Optional(Type.String({ description: 'the statement that decided' })),
    reason: Type.String(),
    matched: Type.Array(
      Type.Object({
        id: Type.String(),
        effect: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
        source: Type.Union([Type.Literal('module'), Type.Literal('central')]),
        description: Type.Optional(Type.String()),
      }),
    ),
    principal: Type.Object({
      id: Type.String(),
      name: Type.String(),
      org: Type.String(),
      roles: Type.Array(Type.String()),
    }),
  },
  { description: 'the decision and every statement that matched, in evaluation order' },
);

/** Refusals of a change: a document the validator refuses, a stale version, a lock-out. */
export const changeRefusals = errorReplies({
  400: 'IAM_POLICY_INVALID: the validator names what is wrong',
  409: 'IAM_POLICY_EXISTS, IAM_POLICY_CONFLICT (changed since `version`) or IAM_POLICY_LOCKOUT',
});
export const notFound = errorReplies({ 404: 'IAM_POLICY_NOT_FOUND' });
