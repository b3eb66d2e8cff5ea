/** What the device routes answer (their `schema.response`; Fastify serialises with these). */
import Type from 'typebox';
import { openObject } from '../../../core/index.ts';

const Jwk = Type.Object({}, { additionalProperties: true, description: 'a JWK' });
const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** What the API shows of a device (views.ts `deviceView`). */
export const DeviceView = openObject({
  id: Type.String(),
  org: Type.String(),
  principalId: Type.String(),
  status: Type.String(),
  keystore: Type.Enum(['software', 'tpm']),
  keyVersion: Type.Integer(),
  signingKey: Jwk,
  attestation: Type.Object({
    status: Type.String(),
    reason: Nullable(Type.String()),
    at: Nullable(Type.Integer()),
    last: Nullable(Type.Object({ ok: Type.Boolean(), at: Type.Integer(), code: Type.Optional(Type.String()) })),
  }),
  goldenPcrs: Nullable(Type.Record(Type.String(), Type.String())),
  tpm: Nullable(Type.Object({ ek: Nullable(Jwk), attestationKey: Nullable(Type.String()) })),
  lastCounter: Type.Integer(),
  metadata: Type.Object({}, { additionalProperties: true }),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});

export const DeviceList = Type.Object({ items: Type.Array(DeviceView) });

export const HubKey = Type.Object({ jwk: Jwk, kid: Type.String() });

export const EnrollmentToken = Type.Object({
  token: Type.String({ description: 'the one-time token (shown once)' }),
  id: Type.String(),
  org: Type.String(),
  expiresAt: Type.Integer(),
  maxUses: Type.Integer(),
});

export const EnrollmentStarted = Type.Object({
  sessionId: Type.String(),
  nonce: Type.String({ description: 'base64url, to sign in the proof of possession' }),
  expiresAt: Type.Integer(),
});

export const Enrolled = Type.Object({ status: Type.Literal('enrolled'), device: DeviceView, hubKey: HubKey });

const Credential = Type.Object({ credentialBlob: Type.String(), secret: Type.String() });
export const ActivationRequired = Type.Object(
  {
    status: Type.Literal('activation-required'),
    sessionId: Type.String(),
    pcrs: Type.Array(Type.Integer()),
    credentials: Type.Object({ attestationKey: Credential, signingKey: Credential }),
  },
  { description: 'TPM enrollment: activate the credentials at enroll/activate' },
);

export const KeyRotated = Type.Object({ id: Type.String(), keyVersion: Type.Integer() });
export const GoldenPcrs = Type.Object({ id: Type.String(), goldenPcrs: Type.Record(Type.String(), Type.String()) });
export const Challenge = Type.Object({
  nonce: Type.String(),
  pcrs: Type.Array(Type.Integer()),
  expiresAt: Type.Integer(),
});
export const QuoteOutcome = Type.Object({
  ok: Type.Boolean(),
  attestation: Type.String(),
  code: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});

export const ReadingAccepted = Type.Object(
  {
    deviceId: Type.String(),
    resource: Type.String({ description: 'provider/service/resource' }),
    value: Type.Unknown(),
    unit: Type.Optional(Type.String()),
    counter: Type.Integer(),
    timestamp: Type.Integer(),
    receivedAt: Type.Integer(),
    attestation: Type.Enum(['attested', 'unattested']),
  },
  { description: 'reading verified and stored' },
);
