import Type, { type Static } from 'typebox';
import { AGGREGATE_STATISTICS, AGGREGATE_WINDOW_SECONDS } from './agreements.ts';

const Seg = Type.String({ minLength: 1, maxLength: 130, pattern: '^[A-Za-z0-9._~-]+$' });
const Jwk = Type.Object({
  kty: Type.Literal('EC'),
  crv: Type.Literal('P-256'),
  x: Type.String({ maxLength: 64 }),
  y: Type.String({ maxLength: 64 }),
});

/** The aggregation terms of an agreement: what every aggregate item of its link carries. */
export const AggregateSpecSchema = Type.Object(
  {
    windowSeconds: Type.Integer({ minimum: AGGREGATE_WINDOW_SECONDS.min, maximum: AGGREGATE_WINDOW_SECONDS.max }),
    statistic: Type.Enum(AGGREGATE_STATISTICS),
  },
  { additionalProperties: false },
);

/** One shared reading on the wire between hubs. */
export const SharedReadingSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    deviceId: Type.String({ minLength: 1, maxLength: 128 }),
    provider: Seg,
    service: Seg,
    resource: Seg,
    value: Type.Union([Type.Number(), Type.Boolean(), Type.String({ maxLength: 1024 })]),
    unit: Type.Optional(Type.String({ maxLength: 32 })),
    timestamp: Type.Integer({ minimum: 0 }),
    counter: Type.Integer({ minimum: 0 }),
    attestation: Type.String({ maxLength: 32 }),
    /** Original COSE_Sign1 (base64url) and the device's public key, where the agreement keeps signatures. */
    cose: Type.Optional(Type.String({ maxLength: 24_000 })),
    deviceKey: Type.Optional(Jwk),
    /**
     * Set when the item is a window aggregate, not a reading: `value` is the statistic over the
     * `count` numeric readings of the window starting at `timestamp`; `counter` is the window index.
     */
    aggregate: Type.Optional(
      Type.Object(
        { ...AggregateSpecSchema.properties, count: Type.Integer({ minimum: 1 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type SharedReading = Static<typeof SharedReadingSchema>;

export const PushBodySchema = Type.Object(
  {
    agreementId: Type.String({ minLength: 1, maxLength: 64 }),
    nonce: Type.String({ minLength: 8, maxLength: 64 }),
    items: Type.Array(SharedReadingSchema, { maxItems: 500 }),
  },
  { additionalProperties: false },
);
export type PushBody = Static<typeof PushBodySchema>;

/** The importer's answer, signed with its platform key so the exporter knows who acknowledged. */
export interface PushAck {
  acked: number;
  applied: number;
  refused: number;
  /** Compact JWS (ES256) over {agreementId, nonce, acked}. */
  proof: string;
}
