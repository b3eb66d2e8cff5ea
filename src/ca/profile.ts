/**
 * The certificate profile of msec's CA (docs/iam.md, "Certificate authority"): one self-signed
 * ECDSA P-256 root that signs short-lived client certificates for devices and services and the
 * hub's own TLS server certificate. A client's identity is its URI SAN, `urn:msec:device:<id>`
 * or `urn:msec:service:<principal id>`; CN and O repeat the name and the organisation for people.
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { x509 } from './x509.ts';

export type CertKind = 'device' | 'service' | 'server';

export const CA_SUBJECT = 'CN=msec device and service CA,O=msec';
/** Client certificates live a day unless asked for less (or more, up to a week). */
export const DEFAULT_CLIENT_LIFETIME_S = 24 * 3600;
export const MIN_CLIENT_LIFETIME_S = 300;
export const MAX_CLIENT_LIFETIME_S = 7 * 24 * 3600;
/** notBefore is back-dated this far so a device whose clock runs a little behind accepts it. */
export const BACKDATE_S = 60;
export const CA_LIFETIME_S = 10 * 365 * 24 * 3600;

export const URI_PREFIX = { device: 'urn:msec:device:', service: 'urn:msec:service:' } as const;

/** 16 random bytes, 126 of them random: a positive INTEGER whose hex has no leading zero. */
export function newSerial(): string {
  const b = randomBytes(16);
  // Positive (RFC 5280 §4.1.2.2) and with no leading zero digit, so the serial as stored is the one
  // normaliseSerial derives from a presented certificate (a leading 0x0N byte once made 1 in 8 unknown).
  b[0] = (b[0]! & 0x3f) | 0x40;
  return b.toString('hex');
}

/** Serials compare as lowercase hex without leading zeros (Node and OpenSSL print them differently). */
export function normaliseSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+(?=.)/, '');
}

export function spkiSha256(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** RFC 4514 attribute value escaping for CN and O. */
function rdn(value: string): string {
  return value.replace(/[\\,+"<>;=#]/g, (c) => `\\${c}`).replace(/^ | $/g, (c) => `\\${c}`);
}

export function clientSubjectName(name: string, org: string | null): string {
  return org ? `CN=${rdn(name)},O=${rdn(org)}` : `CN=${rdn(name)}`;
}

export async function caExtensions(publicKey: CryptoKey): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(true, 0, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
}

export async function leafExtensions(opts: {
  kind: CertKind;
  uri?: string;
  dns?: string[];
  ips?: string[];
  publicKey: CryptoKey;
  caCert: x509.X509Certificate;
  crlUrl?: string | undefined;
}): Promise<x509.Extension[]> {
  const names: x509.JsonGeneralName[] = [];
  if (opts.uri) names.push({ type: 'url', value: opts.uri });
  for (const d of opts.dns ?? []) names.push({ type: 'dns', value: d });
  for (const ip of opts.ips ?? []) names.push({ type: 'ip', value: ip });
  const ext: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      [opts.kind === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    new x509.SubjectAlternativeNameExtension(names, false),
    await x509.SubjectKeyIdentifierExtension.create(opts.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(opts.caCert, false),
  ];
  if (opts.crlUrl) ext.push(new x509.CRLDistributionPointsExtension([opts.crlUrl]));
  return ext;
}

/** The identity a client certificate names in its URI SAN (Node's `subjectAltName` string). */
export function identityFromSan(
  subjectAltName: string | undefined,
): { kind: 'device' | 'service'; id: string } | undefined {
  if (!subjectAltName) return undefined;
  const uris = subjectAltName
    .split(/,\s*/)
    .filter((n) => n.startsWith('URI:'))
    .map((n) => n.slice(4));
  if (uris.length !== 1) return undefined;
  const uri = uris[0]!;
  for (const kind of ['device', 'service'] as const) {
    const prefix = URI_PREFIX[kind];
    if (uri.startsWith(prefix) && uri.length > prefix.length) return { kind, id: uri.slice(prefix.length) };
  }
  return undefined;
}
