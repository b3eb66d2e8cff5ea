import { MsecError } from '../../core/index.ts';

/** A provider, service or resource name: the reading payload's segment, plus `~` namespacing. */
export const SEGMENT_RE = /^[A-Za-z0-9._~-]{1,130}$/;
/** A name pattern in an access rule: a name, `*`, or a name with `*` wildcards. */
export const PATTERN_RE = /^[A-Za-z0-9._~*-]{1,130}$/;

export function assertSegment(value: string, what: string): string {
  if (!SEGMENT_RE.test(value))
    throw new MsecError('VALIDATION_FAILED', `${what} must be 1-130 letters, digits or . _ ~ -`);
  return value;
}

export function assertPattern(value: string, what: string): string {
  if (!PATTERN_RE.test(value))
    throw new MsecError('VALIDATION_FAILED', `${what} must be a name or a pattern with * wildcards`);
  return value;
}

const compiled = new Map<string, RegExp>();

/** Glob match of a name pattern (`*` = any run of characters) against a concrete name. */
export function nameMatches(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === name;
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.~-]/g, '\\$&'))
        .join('.*')}$`,
    );
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.test(name);
}

/**
 * Whether some name could match both a pattern and an MQTT filter level (`+`/`#` or a literal).
 * Conservative for two patterns (true unless clearly disjoint literals); used to refuse
 * subscriptions that can never deliver anything.
 */
export function levelOverlaps(pattern: string, level: string): boolean {
  if (level === '+' || level === '#') return true;
  return nameMatches(pattern, level);
}

/** The twin path of a resource. */
export interface TwinPath {
  provider: string;
  service: string;
  resource: string;
}

export function twinId(p: TwinPath): string {
  return `${p.provider}/${p.service}/${p.resource}`;
}
