import { ATTACK_TACTICS, ATTACK_TECHNIQUE_TACTICS } from './attack-map.ts';

const TECHNIQUE_TAG = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;
const TACTIC_TAG = /^attack\.([a-z][a-z_-]+)$/;

export interface MitreInfo {
  readonly techniques: readonly string[];
  /** Tactic ids (TA00xx), from the rule's own tactic tags first, then the technique map. */
  readonly tactics: readonly string[];
}

/** Tactic ids by lower-case name, the first id of a name kept (Enterprise is listed first). */
let tacticIds: Map<string, string> | null = null;

/** The tactic id a Sigma tactic tag names (`attack.credential_access` -> TA0006), Enterprise first. */
function tacticByTag(tag: string): string | undefined {
  if (!tacticIds) {
    tacticIds = new Map();
    for (const [id, n] of Object.entries(ATTACK_TACTICS))
      if (!tacticIds.has(n.toLowerCase())) tacticIds.set(n.toLowerCase(), id);
  }
  return tacticIds.get(tag.replaceAll('_', ' ').replaceAll('-', ' '));
}

/** Tactic ids of a technique; a sub-technique inherits its parent's. */
export function tacticsOfTechnique(technique: string): string[] {
  return ATTACK_TECHNIQUE_TACTICS[technique.toUpperCase().split('.')[0]!] ?? [];
}

export function tacticName(id: string): string | undefined {
  return ATTACK_TACTICS[id];
}

/** Results by their arguments: a rule's tags and a signature's techniques repeat from alert to alert. */
const cache = new Map<string, MitreInfo>();
const CACHE_MAX = 4096;

/**
 * ATT&CK techniques and tactics from Sigma tags (`attack.t1110.001`, `attack.credential_access`)
 * and extra technique ids. The result is shared between calls with the same arguments: frozen.
 */
export function mitreOf(tags: readonly string[], extraTechniques: readonly string[] = []): MitreInfo {
  // JSON, not a join: a tag may hold any separator (rules are operators' text).
  const key = JSON.stringify([tags, extraTechniques]);
  let info = cache.get(key);
  if (!info) {
    if (cache.size >= CACHE_MAX) cache.clear();
    const { techniques, tactics } = computeMitre(tags, extraTechniques);
    info = Object.freeze({ techniques: Object.freeze(techniques), tactics: Object.freeze(tactics) });
    cache.set(key, info);
  }
  return info;
}

function computeMitre(
  tags: readonly string[],
  extraTechniques: readonly string[],
): { techniques: string[]; tactics: string[] } {
  const techniques: string[] = [];
  const tactics: string[] = [];
  const add = (list: string[], v: string | undefined) => {
    if (v && !list.includes(v)) list.push(v);
  };
  for (const tag of tags) {
    const t = TECHNIQUE_TAG.exec(tag);
    if (t) add(techniques, t[1]!.toUpperCase());
    else {
      const tac = TACTIC_TAG.exec(tag);
      if (tac) add(tactics, tacticByTag(tac[1]!));
    }
  }
  for (const t of extraTechniques) add(techniques, t.toUpperCase());
  for (const t of techniques) for (const tac of tacticsOfTechnique(t)) add(tactics, tac);
  return { techniques, tactics };
}
