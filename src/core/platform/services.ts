import { MsecError } from '../errors.ts';

/**
 * A typed name for a service one module provides and others need. The type parameter travels
 * with the key, so `ctx.services.get(LEDGER_LOG)` is a TransparencyLog without a cast.
 */
export interface ServiceKey<T> {
  readonly id: string;
  /** Phantom: carries T for the compiler; never set. */
  readonly __service?: (value: T) => T;
}

export function serviceKey<T>(id: string): ServiceKey<T> {
  return Object.freeze({ id });
}

export type AnyServiceKey = ServiceKey<any>;

/** A module's view of the registry: it gets what it declared it needs, provides what it declared. */
export interface ServiceRegistry {
  get<T>(key: ServiceKey<T>): T;
  /** For `uses` (optional needs): undefined where no running module provides it. */
  find<T>(key: ServiceKey<T>): T | undefined;
  provide<T>(key: ServiceKey<T>, value: T): void;
}

/** The platform's one registry; each module sees it through `scoped()`. */
export class Services {
  private readonly values = new Map<string, unknown>();

  /** Services the platform itself provides before any module starts (e.g. IAM). */
  provide<T>(key: ServiceKey<T>, value: T): void {
    if (this.values.has(key.id))
      throw new MsecError('PLATFORM_SERVICE_DUPLICATE', `service "${key.id}" is provided twice`);
    this.values.set(key.id, value);
  }

  /** Outside modules (tests, the CLI): a started platform's service, or a clear error. */
  get<T>(key: ServiceKey<T>): T {
    if (!this.values.has(key.id))
      throw new MsecError('PLATFORM_SERVICE_MISSING', `no running module provides "${key.id}"`);
    return this.values.get(key.id) as T;
  }

  find<T>(key: ServiceKey<T>): T | undefined {
    return this.values.get(key.id) as T | undefined;
  }

  scoped(
    module: string,
    decl: { provides: readonly AnyServiceKey[]; needs: readonly AnyServiceKey[]; uses: readonly AnyServiceKey[] },
  ): ServiceRegistry {
    const may = (list: readonly AnyServiceKey[], key: AnyServiceKey) => list.some((k) => k.id === key.id);
    return {
      get: <T>(key: ServiceKey<T>): T => {
        if (!may(decl.needs, key))
          throw new MsecError(
            'PLATFORM_SERVICE_UNDECLARED',
            `module "${module}" uses "${key.id}" without declaring it in needs`,
          );
        if (!this.values.has(key.id))
          throw new MsecError(
            'PLATFORM_SERVICE_MISSING',
            `module "${module}" needs "${key.id}", which is not provided yet`,
          );
        return this.values.get(key.id) as T;
      },
      find: <T>(key: ServiceKey<T>): T | undefined => {
        if (!may(decl.uses, key) && !may(decl.needs, key))
          throw new MsecError(
            'PLATFORM_SERVICE_UNDECLARED',
            `module "${module}" looks up "${key.id}" without declaring it in uses`,
          );
        return this.values.get(key.id) as T | undefined;
      },
      provide: <T>(key: ServiceKey<T>, value: T): void => {
        if (!may(decl.provides, key))
          throw new MsecError(
            'PLATFORM_SERVICE_UNDECLARED',
            `module "${module}" provides "${key.id}" without declaring it in provides`,
          );
        this.provide(key, value);
      },
    };
  }
}
