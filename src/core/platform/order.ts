import { MsecError } from '../errors.ts';
import type { PlatformModule } from './module.ts';

/**
 * The start order: every module after the providers of what it needs or uses, otherwise in the
 * order given. Refuses a need nobody provides, a key two modules provide, and a cycle, naming them.
 * `external` are keys the platform provides itself.
 */
export function startOrder(modules: readonly PlatformModule[], external: readonly string[] = []): PlatformModule[] {
  const provider = new Map<string, PlatformModule>();
  for (const id of external) provider.set(id, { name: 'platform' });
  for (const m of modules) {
    for (const k of m.provides ?? []) {
      const other = provider.get(k.id);
      if (other)
        throw new MsecError(
          'PLATFORM_SERVICE_DUPLICATE',
          `service "${k.id}" is provided by both "${other.name}" and "${m.name}"`,
        );
      provider.set(k.id, m);
    }
  }
  for (const m of modules) {
    for (const k of m.needs ?? []) {
      if (!provider.has(k.id))
        throw new MsecError(
          'PLATFORM_SERVICE_MISSING',
          `module "${m.name}" needs "${k.id}", which no module provides (is its module's role running?)`,
        );
    }
  }
  const ordered: PlatformModule[] = [];
  const state = new Map<PlatformModule, 'visiting' | 'done'>();
  const visit = (m: PlatformModule, path: string[]) => {
    const s = state.get(m);
    if (s === 'done') return;
    if (s === 'visiting') {
      const from = path.indexOf(m.name);
      throw new MsecError(
        'PLATFORM_SERVICE_CYCLE',
        `modules need each other in a circle: ${[...path.slice(from), m.name].join(' -> ')}`,
      );
    }
    state.set(m, 'visiting');
    for (const k of [...(m.needs ?? []), ...(m.uses ?? [])]) {
      const p = provider.get(k.id);
      if (p && p !== m && modules.includes(p)) visit(p, [...path, m.name]);
    }
    state.set(m, 'done');
    ordered.push(m);
  };
  for (const m of modules) visit(m, []);
  return ordered;
}
