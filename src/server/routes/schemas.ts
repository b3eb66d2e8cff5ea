import Type from 'typebox';
import { ORG_KINDS, PRINCIPAL_KINDS, ROLES } from '../../iam/index.ts';

export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Any()) }),
});

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
};

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
