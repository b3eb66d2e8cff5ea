import { ATTACK_TACTICS, ATTACK_TECHNIQUE_TACTICS } from './attack-map.ts';

const TECHNIQUE_TAG = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;
const TACTIC_TAG = /^attack\.([a-z][a-z_-]+)$/;

export interface MitreInfo {
  techniques: string[];
  /** Tactic ids (TA00xx), from the rule's own tactic tags first, then the technique map. */
  tactics: string[];
}

/** The tactic id a Sigma tactic tag names (`attack.credential_access` -> TA0006), Enterprise first. */
function tacticByTag(tag: string): string | undefined {
  const name = tag.replaceAll('_', ' ').replaceAll('-', ' ');
  for (const [id, n] of Object.entries(ATTACK_TACTICS)) if (n.toLowerCase() === name) return id;
  return undefined;
}

/** Tactic ids of a technique; a sub-technique inherits its parent's. */
export function tacticsOfTechnique(technique: string): string[] {
  return ATTACK_TECHNIQUE_TACTICS[technique.toUpperCase().split('.')[0]!] ?? [];
}

export function tacticName(id: string): string | undefined {
  return ATTACK_TACTICS[id];
}

/** ATT&CK techniques and tactics from Sigma tags (`attack.t1110.001`, `attack.credential_access`) and extra technique ids. */
export function mitreOf(tags: readonly string[], extraTechniques: readonly string[] = []): MitreInfo {
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
