import Type from 'typebox';
import { errorReplies } from '../../core/index.ts';
import { ORG_KINDS, PRINCIPAL_KINDS, ROLES } from '../../iam/index.ts';

/** The refusals the directory's routes make beyond the common ones (the same one error body). */
export const errorResponses = errorReplies({ 409: 'conflicts with the current state (exists, in use, own roles)' });

export const RoleSchema = Type.Enum([...ROLES]);
export const PrincipalKindSchema = Type.Enum([...PRINCIPAL_KINDS]);
export const OrgKindSchema = Type.Enum([...ORG_KINDS]);

export const TokensBody = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer(),
});

export const PrincipalBody = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  kind: PrincipalKindSchema,
  name: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(RoleSchema),
  disabled: Type.Boolean(),
  lockedUntil: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.Integer(),
});

export const OrgBody = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: OrgKindSchema,
  createdAt: Type.Integer(),
});

export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
