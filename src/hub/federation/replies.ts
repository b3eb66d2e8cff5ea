/** What the federation routes answer (their `schema.response`; Fastify serialises with these). */
import Type from 'typebox';
import { openObject } from '../../core/index.ts';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Identity = Type.Object({ kid: Type.String(), publicKey: openObject({}, { description: 'a JWK' }) });

const AgreementFields = {
  id: Type.String(),
  direction: Type.Enum(['export', 'import']),
  localOrg: Type.String(),
  partner: Type.String(),
  resources: Type.Array(Type.String()),
  decimals: Nullable(Type.Integer()),
  pseudonymise: Type.Boolean(),
  keepSignatures: Type.Boolean(),
  aggregate: Nullable(openObject({})),
  validUntil: Type.Integer(),
  endpoint: Nullable(Type.String()),
  partnerKey: Nullable(openObject({})),
  principalId: Nullable(Type.String()),
  status: Type.Enum(['active', 'revoked']),
  cursor: Type.Integer(),
  createdAt: Type.Integer(),
};
export const Agreement = openObject(AgreementFields);
export const AgreementList = Type.Object({
  items: Type.Array(
    openObject({
      ...AgreementFields,
      exporter: Nullable(Type.Object({ pushed: Type.Integer(), lastError: Nullable(Type.String()) })),
    }),
  ),
});
export const PushAck = Type.Object({
  acked: Type.Integer(),
  applied: Type.Integer(),
  refused: Type.Integer(),
  proof: Type.String({ description: 'compact JWS (ES256) over {agreementId, nonce, acked}' }),
});
