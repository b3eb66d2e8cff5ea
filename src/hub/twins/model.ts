import Type, { type Static } from 'typebox';

export const RESOURCE_KINDS = ['sensor', 'property', 'action', 'state-variable'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Resource metadata: the sensiNact attributes and the SOX transducer fields. */
export const ResourceMetadataSchema = Type.Object(
  {
    unit: Type.Optional(Type.String({ maxLength: 32 })),
    unitScalar: Type.Optional(Type.Number()),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    resolution: Type.Optional(Type.Number()),
    precision: Type.Optional(Type.Number()),
    accuracy: Type.Optional(Type.Number()),
    canActuate: Type.Optional(Type.Boolean()),
    typeName: Type.Optional(Type.String({ maxLength: 64 })),
    manufacturer: Type.Optional(Type.String({ maxLength: 128 })),
    partNumber: Type.Optional(Type.String({ maxLength: 64 })),
    serialNumber: Type.Optional(Type.String({ maxLength: 64 })),
    description: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type ResourceMetadata = Static<typeof ResourceMetadataSchema>;

/** GeoJSON geometry (RFC 7946), as sensiNact's admin/location. */
export const GeoJsonSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('Point'), Type.Literal('Polygon'), Type.Literal('LineString')]),
    coordinates: Type.Array(Type.Unknown(), { maxItems: 1000 }),
  },
  { additionalProperties: false },
);
export type GeoJson = Static<typeof GeoJsonSchema>;

export type TwinValue = number | boolean | string;

export interface ResourceState {
  provider: string;
  service: string;
  resource: string;
  kind: ResourceKind;
  metadata: ResourceMetadata;
  value: TwinValue | null;
  /** Device time of the value, ms since epoch. */
  timestamp: number | null;
  receivedAt: number | null;
  /** Signature status of the reading (or SET) that produced the value. */
  signature: 'verified' | 'unsigned' | null;
  attestation: string | null;
}

export interface ProviderState {
  provider: string;
  org: string;
  origin: string | null;
  admin: { friendlyName: string | null; location: GeoJson | null; icon: string | null };
  createdAt: number;
  updatedAt: number;
}

/** The admin service every provider has (sensiNact). */
export const ADMIN_SERVICE = 'admin';
export const ADMIN_RESOURCES = ['friendlyName', 'location', 'icon'] as const;
