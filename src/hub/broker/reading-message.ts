import type { AcceptedReading } from '../contracts.ts';

/** The JSON form of an accepted reading on `data/...` topics and server-sent events. */
export type ReadingMessage = Omit<AcceptedReading, 'cose'> & {
  /** The original COSE_Sign1, base64url, for subscribers that verify the device signature themselves. */
  cose: string;
};

export function readingJson(r: AcceptedReading): ReadingMessage {
  // One object literal of fixed shape (JSON leaves out an undefined unit), and the COSE bytes
  // encoded through a view rather than a copy: this runs for every reading.
  const cose = Buffer.from(r.cose.buffer, r.cose.byteOffset, r.cose.byteLength).toString('base64url');
  return {
    deviceId: r.deviceId,
    org: r.org,
    provider: r.provider,
    service: r.service,
    resource: r.resource,
    value: r.value,
    unit: r.unit,
    timestamp: r.timestamp,
    counter: r.counter,
    receivedAt: r.receivedAt,
    signature: r.signature,
    attestation: r.attestation,
    transport: r.transport,
    cose,
  };
}

export function readingMessage(r: AcceptedReading): Buffer {
  return Buffer.from(JSON.stringify(readingJson(r)));
}
