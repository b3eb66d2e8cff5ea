/** What the twin routes answer (their `schema.response`; Fastify serialises with these). */
import Type from 'typebox';
import { openObject } from '../../core/index.ts';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Open = Type.Object({}, { additionalProperties: true });

const ProviderFields = {
  provider: Type.String(),
  org: Type.String(),
  origin: Nullable(Type.String()),
  admin: Type.Object({
    friendlyName: Nullable(Type.String()),
    location: Nullable(Open),
    icon: Nullable(Type.String()),
  }),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
};
const ServiceEntry = Type.Object({ service: Type.String(), resources: Type.Array(Type.String()) });

export const ProviderList = Type.Object({
  items: Type.Array(openObject({ ...ProviderFields, services: Type.Array(Type.String()) })),
});
export const ProviderDetail = openObject({ ...ProviderFields, services: Type.Array(ServiceEntry) });
export const ServiceList = Type.Object({ items: Type.Array(ServiceEntry) });

const DescribeFields = {
  provider: Type.String(),
  service: Type.String(),
  resource: Type.String(),
  kind: Type.String(),
  metadata: Open,
  signature: Nullable(Type.Enum(['verified', 'unsigned'])),
  attestation: Nullable(Type.String()),
};
export const ResourceDescriptions = Type.Object({ items: Type.Array(openObject(DescribeFields)) });

/** A resource's state: its value (number, boolean, string or GeoJSON), times and signature status. */
export const ResourceValue = openObject({
  ...DescribeFields,
  value: Type.Unknown(),
  timestamp: Nullable(Type.Number()),
  receivedAt: Nullable(Type.Number()),
});

export const ActionSent = Type.Object({ status: Type.Literal('sent'), deviceId: Type.String() });

export const Grant = openObject({
  id: Type.String(),
  org: Type.String(),
  principalId: Nullable(Type.String()),
  role: Nullable(Type.String()),
  granteeOrg: Nullable(Type.String()),
  provider: Type.String(),
  service: Type.String(),
  resource: Type.String(),
  access: Type.String(),
  effect: Type.Enum(['allow', 'deny']),
  priority: Type.Integer(),
  createdBy: Type.String(),
  createdAt: Type.Integer(),
  expiresAt: Type.Optional(Nullable(Type.Integer())),
});
export const GrantList = Type.Object({ items: Type.Array(Grant) });

const HistoryPoint = openObject({
  seq: Type.Integer(),
  timestamp: Type.Number(),
  receivedAt: Type.Number(),
  value: Type.Unknown(),
  unit: Nullable(Type.String()),
  deviceId: Type.String(),
  signature: Type.String(),
  origin: Nullable(Type.String()),
});
export const LatestReading = HistoryPoint;
export const History = Type.Union([
  Type.Object({ items: Type.Array(HistoryPoint), nextCursor: Nullable(Type.String()) }),
  // A grant that allows only a window statistic (a market listing's terms) reads that statistic.
  Type.Object({
    aggregate: Type.Object({ windowSeconds: Type.Integer(), statistic: Type.String() }),
    buckets: Type.Array(
      Type.Object({
        start: Type.Number(),
        count: Type.Integer(),
        value: Nullable(Type.Number()),
        statistic: Type.String(),
      }),
    ),
  }),
  Type.Object({
    buckets: Type.Array(
      Type.Object({
        start: Type.Number(),
        count: Type.Integer(),
        min: Nullable(Type.Number()),
        max: Nullable(Type.Number()),
        avg: Nullable(Type.Number()),
      }),
    ),
  }),
]);
export const SoxData = Type.Object({
  node_name: Type.String(),
  time_from: Type.String(),
  time_to: Type.String(),
  data: Type.Array(
    openObject({
      transducer_id: Type.String(),
      raw_value: Type.String(),
      typed_value: Type.Unknown(),
      timestamp: Type.String(),
      unit: Nullable(Type.String()),
    }),
  ),
});
