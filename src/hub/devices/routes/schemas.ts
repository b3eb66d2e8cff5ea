import Type from 'typebox';
import { DEVICE_ID_PATTERN, DeviceMetadataSchema, EcJwkSchema } from '../metadata.ts';

const B64 = (max: number) => Type.String({ pattern: '^[A-Za-z0-9_-]*$', maxLength: max });

export const DeviceIdParams = Type.Object(
  { id: Type.String({ pattern: DEVICE_ID_PATTERN }) },
  { additionalProperties: false },
);

export const CreateTokenBody = Type.Object(
  {
    org: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' })),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 30 * 86400 })),
    maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  },
  { additionalProperties: false },
);

export const StartBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export const FinishBody = Type.Object(
  {
    sessionId: Type.String({ minLength: 1, maxLength: 64 }),
    deviceId: Type.String({ pattern: DEVICE_ID_PATTERN }),
    keystore: Type.Union([Type.Literal('software'), Type.Literal('tpm')]),
    signingKey: EcJwkSchema,
    proof: B64(128),
    metadata: DeviceMetadataSchema,
    tpm: Type.Optional(
      Type.Object(
        { ek: EcJwkSchema, attestationKey: B64(1024), signingKey: B64(1024) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ActivateBody = Type.Object(
  {
    sessionId: Type.String({ minLength: 1, maxLength: 64 }),
    attestationKeySecret: B64(64),
    signingKeySecret: B64(64),
    quote: Type.Object({ quoted: B64(1024), signature: B64(512) }, { additionalProperties: false }),
    pcrValues: Type.Record(Type.String({ pattern: '^[0-9]{1,2}$' }), Type.String({ pattern: '^[0-9a-f]{64}$' })),
  },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    org: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);

export const RevokeBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);

export const RotateBody = Type.Object(
  { newKey: EcJwkSchema, newKeyProof: B64(128), currentKeyProof: B64(128) },
  { additionalProperties: false },
);

export const GoldenPcrsBody = Type.Object(
  { pcrs: Type.Record(Type.String({ pattern: '^[0-9]{1,2}$' }), Type.String({ pattern: '^[0-9a-fA-F]{64}$' })) },
  { additionalProperties: false },
);

export const QuoteBody = Type.Object(
  { nonce: B64(128), quoted: B64(1024), signature: B64(512) },
  { additionalProperties: false },
);
