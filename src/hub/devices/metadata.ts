/**
 * SOX-style device description (SOXFire's `X_meta` node), validated at the edge. Types follow the
 * SOX device type list; transducers carry the fields consumers need to interpret values.
 */
import Type, { type Static } from 'typebox';

export const SOX_DEVICE_TYPES = [
  'indoor weather',
  'outdoor weather',
  'outdoor atmosphere',
  'hvac',
  'occupancy',
  'multimedia input',
  'multimedia output',
  'scale',
  'vehicle',
  'resource consumption',
  'resource generation',
  'participatory',
  'other',
] as const;

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const TransducerSchema = Type.Object(
  {
    name: Text(64),
    /** Also the resource name the device publishes under: provider(device id)/service/resource. */
    id: Type.String({ pattern: '^[A-Za-z0-9._~-]{1,64}$' }),
    units: Type.Optional(Text(32)),
    unitScalar: Type.Optional(Type.Integer({ minimum: -24, maximum: 24 })),
    canActuate: Type.Optional(Type.Boolean()),
    typeName: Type.Optional(Text(64)),
    manufacturer: Type.Optional(Text(128)),
    partNumber: Type.Optional(Text(64)),
    serialNumber: Type.Optional(Text(64)),
    minValue: Type.Optional(Type.Number()),
    maxValue: Type.Optional(Type.Number()),
    resolution: Type.Optional(Type.Number({ minimum: 0 })),
    precision: Type.Optional(Type.Number({ minimum: 0 })),
    accuracy: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const GeoPointSchema = Type.Object(
  {
    type: Type.Literal('Point'),
    coordinates: Type.Union([
      Type.Tuple([Type.Number({ minimum: -180, maximum: 180 }), Type.Number({ minimum: -90, maximum: 90 })]),
      Type.Tuple([
        Type.Number({ minimum: -180, maximum: 180 }),
        Type.Number({ minimum: -90, maximum: 90 }),
        Type.Number(),
      ]),
    ]),
  },
  { additionalProperties: false },
);

export const DeviceMetadataSchema = Type.Object(
  {
    name: Text(128),
    type: Type.Enum([...SOX_DEVICE_TYPES]),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    serialNumber: Type.Optional(Text(64)),
    transducers: Type.Array(TransducerSchema, { maxItems: 64 }),
    location: Type.Optional(GeoPointSchema),
  },
  { additionalProperties: false },
);

export type DeviceMetadata = Static<typeof DeviceMetadataSchema>;
export type Transducer = Static<typeof TransducerSchema>;

/** The device id syntax is defined once, with the other device rules, in src/device/protocol.ts. */
export { DEVICE_ID, DEVICE_ID_PATTERN } from '../../device/index.ts';

export const EcJwkSchema = Type.Object(
  {
    kty: Type.Literal('EC'),
    crv: Type.Literal('P-256'),
    x: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
    y: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
  },
  { additionalProperties: false },
);
export type EcJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string };
