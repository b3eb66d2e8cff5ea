/**
 * One truth for each device rule: the documents quote the values defined in src/device/protocol.ts,
 * and the code that enforces them uses those same definitions.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEVICE_CREDENTIAL_AUDIENCE,
  DEVICE_CREDENTIAL_TYPE,
  DEVICE_ID,
  DEVICE_ID_PATTERN,
  MAX_CREDENTIAL_LIFETIME_S,
  READING_FRESHNESS_WINDOW_MS,
  decodeReadingPayload,
  encodeReadingPayload,
  isOwnProvider,
} from '../src/device/index.ts';
import {
  DEFAULT_FRESHNESS_WINDOW_MS,
  DEVICE_CREDENTIAL_AUDIENCE as HUB_AUDIENCE,
  DEVICE_CREDENTIAL_TYPE as HUB_TYP,
} from '../src/hub/devices/index.ts';
import { DEVICE_ID_PATTERN as ENROLLMENT_PATTERN } from '../src/hub/devices/metadata.ts';
import { docQuotes, readDoc } from './helpers/doc-blocks.ts';

const wire = readDoc('wire-format.md');
const protocol = readDoc('device-protocol.md');

function quotedEverywhere(marker: string, docs: string[]): string[] {
  const quotes = docs.flatMap((d) => docQuotes(d, marker));
  expect(quotes.length, `no quote marked ${marker}`).toBeGreaterThan(0);
  return quotes;
}

describe('device rules are defined once and quoted by the documents', () => {
  it('quotes the device id syntax, the freshness window and the credential rules as the code defines them', () => {
    for (const q of quotedEverywhere('rule-device-id', [wire, protocol])) expect(q).toBe(DEVICE_ID_PATTERN);
    for (const q of quotedEverywhere('rule-freshness-ms', [wire, protocol]))
      expect(Number(q)).toBe(READING_FRESHNESS_WINDOW_MS);
    expect(quotedEverywhere('rule-credential-typ', [protocol])).toEqual([DEVICE_CREDENTIAL_TYPE]);
    expect(quotedEverywhere('rule-credential-aud', [protocol])).toEqual([DEVICE_CREDENTIAL_AUDIENCE]);
    expect(quotedEverywhere('rule-credential-max-lifetime-s', [protocol]).map(Number)).toEqual([
      MAX_CREDENTIAL_LIFETIME_S,
    ]);
  });

  it('the hub enforces the same definitions the device side uses', () => {
    expect(ENROLLMENT_PATTERN).toBe(DEVICE_ID_PATTERN);
    expect(DEFAULT_FRESHNESS_WINDOW_MS).toBe(READING_FRESHNESS_WINDOW_MS);
    expect([HUB_TYP, HUB_AUDIENCE]).toEqual([DEVICE_CREDENTIAL_TYPE, DEVICE_CREDENTIAL_AUDIENCE]);
  });

  it('a reading payload accepts exactly the device ids enrollment accepts', () => {
    const id = fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,70}$/), fc.string({ maxLength: 70 }));
    fc.assert(
      fc.property(id, (deviceId) => {
        const reading = { deviceId, resource: 'p/s/r', value: 1, counter: 1, timestamp: 1 };
        let decoded: string | undefined;
        try {
          decoded = decodeReadingPayload(encodeReadingPayload(reading)).deviceId;
        } catch {
          decoded = undefined;
        }
        expect(decoded === deviceId).toBe(DEVICE_ID.test(deviceId));
      }),
      { numRuns: 300 },
    );
  });

  it('the provider rule compares the first path segment with the device id exactly', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9-]{1,12}$/),
        fc.stringMatching(/^[a-z0-9-]{1,12}$/),
        (device, provider) => {
          expect(isOwnProvider(device, `${provider}/env/temp`)).toBe(device === provider);
        },
      ),
    );
  });
});
