import type { Kysely } from 'kysely';
import { MsecError, type Clock } from '../../core/index.ts';
import type { MonitorTables } from '../store/schema.ts';
import type { DetectionEngine, SigmaRule } from './engine-contract.ts';

type R = SigmaRule;

/** The engine's entry points (./sigma/index.ts), injected so tests can give a small pack. */
export interface SigmaFunctions {
  parse(text: string, file: string): SigmaRule[];
  pack(): SigmaRule[];
  createEngine(): DetectionEngine;
}

export interface RuleListing {
  id: string;
  title: string;
  level: string | null;
  origin: 'pack' | 'operator';
  /** The operator rule set holding it (pack rules: null). */
  set: string | null;
  enabled: boolean;
}

export const RULE_SET_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The active detection content: the shipped pack, less the pack rules an operator disabled, plus
 * the operator's rule sets (YAML files) that are enabled. Every change is validated (parse, then a
 * trial load into a scratch engine) before it is stored, then hot-loaded into the live engine.
 */
export class RuleRegistry {
  private pack: R[] = [];
  private sets = new Map<string, { rules: R[]; enabled: boolean; file: string }>();
  private disabledPack = new Set<string>();
  /** Stored rule sets that no longer parse (reported by start, listed by the rules route). */
  readonly broken: Array<{ set: string; message: string }> = [];

  constructor(
    private readonly db: Kysely<MonitorTables>,
    private readonly sigma: SigmaFunctions,
    readonly engine: DetectionEngine,
    private readonly clock: Clock,
  ) {}

  async start(): Promise<void> {
    this.pack = this.sigma.pack();
    const rows = await this.db.selectFrom('monitor_rules').selectAll().execute();
    for (const r of rows) {
      if (r.origin === 'pack') {
        if (!r.enabled) this.disabledPack.add(r.id);
        continue;
      }
      // Stored sets were valid when stored; an engine upgrade could break one: start without it, say which.
      try {
        this.sets.set(r.id, { rules: this.sigma.parse(r.yaml, r.file), enabled: r.enabled === 1, file: r.file });
      } catch (err) {
        this.broken.push({ set: r.id, message: (err as Error).message });
        this.sets.set(r.id, { rules: [], enabled: false, file: r.file });
      }
    }
    this.reload();
  }

  private active(sets = this.sets, disabled = this.disabledPack): R[] {
    const out = this.pack.filter((r) => !disabled.has(ruleKey(r)));
    for (const s of sets.values()) if (s.enabled) out.push(...s.rules);
    return out;
  }

  private reload(): void {
    this.engine.load(this.active());
  }

  /** Parses and trial-loads a candidate configuration; throws the engine's MONITOR_RULE_INVALID. */
  private validate(sets: Map<string, { rules: R[]; enabled: boolean; file: string }>): void {
    this.sigma.createEngine().load(this.active(sets));
  }

  list(): RuleListing[] {
    const out: RuleListing[] = this.pack.map((r) => ({
      id: ruleKey(r),
      title: r.title,
      level: r.level,
      origin: 'pack',
      set: null,
      enabled: !this.disabledPack.has(ruleKey(r)),
    }));
    for (const [set, s] of this.sets)
      for (const r of s.rules)
        out.push({ id: ruleKey(r), title: r.title, level: r.level, origin: 'operator', set, enabled: s.enabled });
    return out;
  }

  /** Adds or replaces (tunes) an operator rule set from YAML. */
  async put(setId: string, yaml: string, file: string, actor: string, enabled = true): Promise<RuleListing[]> {
    if (!RULE_SET_ID.test(setId))
      throw new MsecError('MONITOR_RULE_SET_ID_INVALID', 'rule set id: 1-100 of [A-Za-z0-9._-]', { status: 400 });
    if (this.pack.some((r) => ruleKey(r) === setId))
      throw new MsecError('MONITOR_RULE_SET_ID_TAKEN', `"${setId}" is a pack rule id`, { status: 409 });
    const rules = this.sigma.parse(yaml, file);
    if (rules.length === 0)
      throw new MsecError('MONITOR_RULE_INVALID', `${file}: no rule in the file`, {
        status: 400,
        details: { file, errors: ['no rule'] },
      });
    const next = new Map(this.sets);
    next.set(setId, { rules, enabled, file });
    this.validate(next);
    const row = {
      id: setId,
      title: rules[0]!.title.slice(0, 300),
      yaml,
      file,
      origin: 'operator' as const,
      enabled: enabled ? 1 : 0,
      created_by: actor,
      updated_at: this.clock.now(),
    };
    await this.db
      .insertInto('monitor_rules')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          title: row.title,
          yaml,
          file,
          enabled: row.enabled,
          created_by: actor,
          updated_at: row.updated_at,
        }),
      )
      .execute();
    this.sets = next;
    this.reload();
    return this.list().filter((l) => l.set === setId);
  }

  /** Enables or disables a pack rule (by rule id) or an operator rule set (by set id). */
  async setEnabled(id: string, enabled: boolean, actor: string): Promise<void> {
    const now = this.clock.now();
    const set = this.sets.get(id);
    if (set) {
      const next = new Map(this.sets);
      next.set(id, { ...set, enabled });
      this.validate(next);
      await this.db
        .updateTable('monitor_rules')
        .set({ enabled: enabled ? 1 : 0, updated_at: now, created_by: actor })
        .where('id', '=', id)
        .execute();
      this.sets = next;
    } else if (this.pack.some((r) => ruleKey(r) === id)) {
      const disabled = new Set(this.disabledPack);
      if (enabled) disabled.delete(id);
      else disabled.add(id);
      this.sigma.createEngine().load(this.active(this.sets, disabled));
      await this.db
        .insertInto('monitor_rules')
        .values({
          id,
          title: this.pack.find((r) => ruleKey(r) === id)!.title.slice(0, 300),
          yaml: '',
          file: 'pack',
          origin: 'pack',
          enabled: enabled ? 1 : 0,
          created_by: actor,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ enabled: enabled ? 1 : 0, updated_at: now, created_by: actor }),
        )
        .execute();
      this.disabledPack = disabled;
    } else {
      throw new MsecError('MONITOR_RULE_NOT_FOUND', `no rule or rule set "${id}"`, { status: 404 });
    }
    this.reload();
  }

  async remove(setId: string): Promise<boolean> {
    if (!this.sets.has(setId)) return false;
    const next = new Map(this.sets);
    next.delete(setId);
    this.validate(next);
    await this.db.deleteFrom('monitor_rules').where('id', '=', setId).execute();
    this.sets = next;
    this.reload();
    return true;
  }

  yamlOf(setId: string): Promise<string | undefined> {
    return this.db
      .selectFrom('monitor_rules')
      .select('yaml')
      .where('id', '=', setId)
      .where('origin', '=', 'operator')
      .executeTakeFirst()
      .then((r) => r?.yaml);
  }
}

/** A rule's stable key: its Sigma id. */
export function ruleKey(r: SigmaRule): string {
  return r.id;
}
