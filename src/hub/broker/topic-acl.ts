import type { ResourceRef, Subject } from '../../iam/index.ts';
import { grantAppliesTo, twinRef, TWIN_ACTIONS, type Grant } from '../twins/access.ts';
import { levelOverlaps, SEGMENT_RE } from '../twins/names.ts';

/** `data/{org}/{provider}/{service}/{resource}` as a twin resource ref for READ, or undefined. */
export function dataTopicRef(topic: string): ResourceRef | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'data') return undefined;
  const [, org, provider, service, resource] = parts as [string, string, string, string, string];
  if (![org, provider, service, resource].every((p) => SEGMENT_RE.test(p))) return undefined;
  return twinRef(org, { provider, service, resource }, TWIN_ACTIONS.READ);
}

/** Roles that read their own organisation's data without a grant (see twinPolicy). */
const MEMBER_READ_ROLES = new Set(['admin', 'operator', 'analyst', 'provider']);

/**
 * Whether a subscription filter under `data/` could deliver anything to the subject: its own
 * organisation's tree for members, or an allow grant whose patterns overlap the filter.
 * Delivery is then checked per message (authorizeForward), so a broad filter is narrowed to
 * what is granted; a filter that can match nothing granted is refused outright.
 */
export function dataFilterMayDeliver(
  filter: string,
  s: Subject,
  grants: readonly Grant[],
  isPlatformAdmin: boolean,
): boolean {
  const levels = filter.split('/');
  if (levels[0] !== 'data' || levels.length < 2) return false;
  if (isPlatformAdmin) return true;
  const at = (i: number): string => {
    // After a `#` every deeper level matches anything.
    const hash = levels.indexOf('#');
    if (hash !== -1 && hash <= i) return '#';
    return levels[i] ?? '';
  };
  if (levels.length > 5 && !levels.includes('#')) return false;
  const orgLevel = at(1);
  if (s.roles.some((r) => MEMBER_READ_ROLES.has(r)) && levelOverlaps(s.org, orgLevel)) return true;
  return grants.some(
    (g) =>
      g.effect === 'allow' &&
      g.access !== 'DESCRIBE' &&
      grantAppliesTo(g, s) &&
      levelOverlaps(g.org, orgLevel) &&
      patternOverlaps(g.provider, at(2)) &&
      patternOverlaps(g.service, at(3)) &&
      patternOverlaps(g.resource, at(4)),
  );
}

function patternOverlaps(pattern: string, level: string): boolean {
  if (level === '') return false;
  if (pattern.includes('*') && !level.includes('+') && level !== '#') return levelOverlaps(pattern, level);
  return levelOverlaps(pattern, level) || pattern.includes('*');
}

/** MQTT topic filter syntax (MQTT 3.1.1 §4.7): `#` only last and alone in its level, `+` alone. */
export function validFilter(filter: string): boolean {
  if (filter.length === 0 || filter.length > 512 || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  return levels.every((l, i) =>
    l.includes('#') ? l === '#' && i === levels.length - 1 : !l.includes('+') || l === '+',
  );
}
