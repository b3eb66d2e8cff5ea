import type { Kysely } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The relational store port. Modules declare their own table types and view the shared
 * handle through `db.withTables<Their>()`; migrations are contributed per module.
 */
export interface Store {
  readonly db: Kysely<object>;
  readonly dialect: Dialect;
  /** Human description (file path or URL without password), for logs. */
  readonly description: string;
  /** PostgreSQL schema the store works in, when not the default. */
  readonly schema?: string | undefined;
  close(): Promise<void>;
}

/** Column type names that differ between the two dialects. */
export function columnTypes(dialect: Dialect): {
  blob: 'blob' | 'bytea';
  bigint: 'integer' | 'bigint';
  autoId: 'integer' | 'bigserial';
} {
  return dialect === 'sqlite'
    ? { blob: 'blob', bigint: 'integer', autoId: 'integer' }
    : { blob: 'bytea', bigint: 'bigint', autoId: 'bigserial' };
}
