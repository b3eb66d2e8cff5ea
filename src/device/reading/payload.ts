/**
 * The reading payload: a CBOR map with small integer keys (compact on constrained links; the
 * CDDL is in docs/wire-format.md). Decoding is strict: known keys only, bounded strings,
 * finite numbers, unsigned safe integers for counter and timestamp.
 */
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { MsecError } from '../../core/errors.ts';
import { validationIssues } from '../../core/validate.ts';
import { decodeCbor, encodeCbor, type CborKey, type CborValue } from '../cose/cbor.ts';
import { DEVICE_ID_PATTERN } from '../protocol.ts';

export const ReadingKey = { deviceId: 1, resource: 2, value: 3, unit: 4, counter: 5, timestamp: 6 } as const;

const SEGMENT = '[A-Za-z0-9._~-]{1,64}';

export const ReadingSchema = Type.Object(
  {
    /** Device identity; also the COSE kid of the signing key. */
    deviceId: Type.String({ minLength: 1, maxLength: 64, pattern: DEVICE_ID_PATTERN }),
    /** Digital-twin resource path: provider/service/resource. */
    resource: Type.String({ maxLength: 200, pattern: `^${SEGMENT}/${SEGMENT}/${SEGMENT}$` }),
    value: Type.Union([Type.Number(), Type.Boolean(), Type.String({ maxLength: 1024 })]),
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    /** Monotonic per device; the hub rejects a counter it has already seen (replay). */
    counter: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    /** Milliseconds since the Unix epoch. */
    timestamp: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
);

// Compiled once: the interpreted check costs tens of microseconds per reading on the hot path.
const readingValidator = Compile(ReadingSchema);

export interface Reading {
  deviceId: string;
  resource: string;
  value: number | boolean | string;
  unit?: string;
  counter: number;
  timestamp: number;
}

export const MAX_READING_PAYLOAD_BYTES = 4096;

function invalid(message: string, details?: Record<string, unknown>): MsecError {
  return new MsecError('READING_INVALID', message, { status: 400, ...(details ? { details } : {}) });
}

/** Throws READING_INVALID naming the first problem; NaN and infinities are never readings. */
export function assertReading(value: unknown): Reading {
  if (!readingValidator.Check(value)) {
    const issues = validationIssues(ReadingSchema, value);
    const first = issues[0];
    throw invalid(`reading: ${first ? `${first.path} ${first.message}` : 'does not match the schema'}`, { issues });
  }
  const reading = value as Reading;
  if (typeof reading.value === 'number' && !Number.isFinite(reading.value))
    throw invalid('reading: /value must be finite');
  return reading;
}

export function encodeReadingPayload(reading: Reading): Uint8Array {
  const r = assertReading(reading);
  const map = new Map<CborKey, CborValue>([
    [ReadingKey.deviceId, r.deviceId],
    [ReadingKey.resource, r.resource],
    [ReadingKey.value, r.value],
    [ReadingKey.counter, r.counter],
    [ReadingKey.timestamp, r.timestamp],
  ]);
  if (r.unit !== undefined) map.set(ReadingKey.unit, r.unit);
  return encodeCbor(map);
}

const FIELD_OF_KEY = new Map<CborKey, keyof Reading>(
  Object.entries(ReadingKey).map(([name, key]) => [key, name as keyof Reading]),
);

export function decodeReadingPayload(bytes: Uint8Array): Reading {
  if (bytes.length > MAX_READING_PAYLOAD_BYTES)
    throw invalid(`reading payload is larger than ${MAX_READING_PAYLOAD_BYTES} bytes`);
  let decoded: CborValue;
  try {
    decoded = decodeCbor(bytes, { maxDepth: 2, maxItems: 16 });
  } catch (err) {
    throw invalid(`reading payload is not valid CBOR: ${(err as Error).message}`);
  }
  if (!(decoded instanceof Map)) throw invalid('reading payload must be a CBOR map');
  // Only the six field names of FIELD_OF_KEY are ever assigned (never a name from the input), so
  // no key can reach Object.prototype; a plain object saves the null-prototype copy per reading.
  const out: Record<string, unknown> = {};
  for (const [key, value] of decoded) {
    const field = FIELD_OF_KEY.get(key);
    if (!field) throw invalid(`reading payload has an unknown key ${JSON.stringify(key)}`);
    out[field] = value;
  }
  return assertReading(out);
}
