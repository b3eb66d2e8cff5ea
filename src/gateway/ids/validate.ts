/** Validation of what a gateway owner passes to `msec gateway ids-config`, with stable error codes. */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { join, resolve } from 'node:path';
import { MsecError } from '../../core/errors.ts';

function badCidr(value: string, why: string): MsecError {
  return new MsecError(
    'GATEWAY_HOME_NET_INVALID',
    `--home-net ${JSON.stringify(value.slice(0, 80))} is not a CIDR (${why}); write e.g. 192.168.1.0/24 or fd00::/8`,
    {
      details: { value: value.slice(0, 200) },
    },
  );
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** The eight 16-bit groups of an IPv6 address (node has validated its syntax). */
function ipv6Groups(ip: string): number[] {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToInt(v4[1]!);
    text = text.slice(0, -v4[1]!.length) + `${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

/**
 * One `--home-net` value as a canonical CIDR: the address's network (host bits cleared, so what
 * Suricata matches is what the owner sees in the file), a bare address as a /32 or /128.
 */
export function parseCidr(value: string): string {
  const text = value.trim();
  if (text.length === 0 || text.length > 64) throw badCidr(value, 'empty or too long');
  const [addr, prefixText, ...rest] = text.split('/');
  if (rest.length) throw badCidr(value, 'more than one "/"');
  const v4 = isIPv4(addr!);
  if (!v4 && !isIPv6(addr!)) throw badCidr(value, 'not an IPv4 or IPv6 address');
  const bits = v4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) throw badCidr(value, 'prefix length is not a number');
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) throw badCidr(value, `prefix length above ${bits}`);
  if (v4) {
    const n = ipv4ToInt(addr!);
    const block = 2 ** (32 - prefix);
    return `${intToIpv4(n - (n % block))}/${prefix}`;
  }
  const groups = ipv6Groups(addr!).map((g, i) => {
    const keep = Math.max(0, Math.min(16, prefix - i * 16));
    return keep === 0 ? 0 : g & ~((1 << (16 - keep)) - 1) & 0xffff;
  });
  return `${groups.map((g) => g.toString(16)).join(':')}/${prefix}`;
}

/** RFC 1918 and unique-local IPv6: where a city's devices usually live. */
export const DEFAULT_HOME_NET = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'] as const;

export function parseHomeNet(values: readonly string[] | undefined): string[] {
  if (!values || values.length === 0) return [...DEFAULT_HOME_NET];
  const out = [...new Set(values.flatMap((v) => v.split(',')).map(parseCidr))];
  if (out.length > 256)
    throw new MsecError('GATEWAY_HOME_NET_INVALID', `--home-net: at most 256 networks (got ${out.length})`);
  return out;
}

const IFACE_NAME = /^[A-Za-z0-9_.:@-]{1,15}$/;

/** The capture interface must exist now (Linux: /sys/class/net), or Suricata fails at start. */
export function checkInterface(name: string, sysNet = '/sys/class/net'): string {
  const known = existsSync(sysNet) ? readdirSync(sysNet).sort() : [];
  if (!IFACE_NAME.test(name) || !known.includes(name)) {
    throw new MsecError(
      'GATEWAY_INTERFACE_UNKNOWN',
      `--interface ${JSON.stringify(name.slice(0, 40))} is not a network interface here (known: ${known.join(', ') || 'none'})`,
      {
        details: { interface: name.slice(0, 100), known },
      },
    );
  }
  return name;
}

/** Creates the output folder if needed and proves it is writable before anything is written. */
export function checkOutDir(dir: string): string {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
    accessSync(abs, constants.W_OK);
    if (!statSync(abs).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new MsecError(
      'GATEWAY_OUT_DIR_UNWRITABLE',
      `--out ${abs} is not a writable directory: ${(err as Error).message}`,
      { details: { dir: abs } },
    );
  }
  return abs;
}

/** Every `*.rules` file of an `--extra-rules` folder, as absolute paths in name order. */
export function listExtraRules(dir: string): string[] {
  const abs = resolve(dir);
  let names: string[];
  try {
    if (!statSync(abs).isDirectory()) throw new Error('not a directory');
    names = readdirSync(abs);
  } catch (err) {
    throw new MsecError(
      'GATEWAY_EXTRA_RULES_INVALID',
      `--extra-rules ${abs} is not a readable directory: ${(err as Error).message}`,
      { details: { dir: abs } },
    );
  }
  const files = names
    .filter((n) => n.endsWith('.rules'))
    .sort()
    .map((n) => join(abs, n));
  if (files.length === 0)
    throw new MsecError('GATEWAY_EXTRA_RULES_INVALID', `--extra-rules ${abs} holds no *.rules file`, {
      details: { dir: abs },
    });
  return files;
}
