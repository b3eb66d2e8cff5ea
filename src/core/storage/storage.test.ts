import { describe, it, expect, afterEach } from 'vitest';
import { sql, type Generated } from 'kysely';
import { storeCases } from '../../../test/helpers/stores.ts';
import { columnTypes, type ModuleMigration } from './index.ts';

type Items = {
  items: { id: Generated<number>; name: string; payload: Buffer; created_at: number };
};

const migrations: ModuleMigration[] = [
  {
    name: 'test_001_items',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('items')
        .addColumn('id', t.autoId, (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('payload', t.blob, (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
    },
  },
];

describe.each(storeCases)('storage port on $name', (storeCase) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('migrates once and round-trips text, bytes and 64-bit times', async () => {
    const opened = await storeCase.open(migrations);
    cleanup = opened.cleanup;
    const db = opened.store.db.withTables<Items>();
    const at = Date.UTC(2030, 5, 1, 12);
    await db
      .insertInto('items')
      .values({ name: 'a', payload: Buffer.from([0, 1, 255]), created_at: at })
      .execute();
    const row = await db.selectFrom('items').selectAll().where('name', '=', 'a').executeTakeFirstOrThrow();
    expect(row.name).toBe('a');
    expect(Buffer.from(row.payload)).toEqual(Buffer.from([0, 1, 255]));
    expect(row.created_at).toBe(at);
    expect(typeof row.id).toBe('number');
  });

  it('rolls back a failed transaction completely', async () => {
    const opened = await storeCase.open(migrations);
    cleanup = opened.cleanup;
    const db = opened.store.db.withTables<Items>();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx
          .insertInto('items')
          .values({ name: 'x', payload: Buffer.alloc(1), created_at: 1 })
          .execute();
        await trx
          .insertInto('items')
          .values({ name: 'x', payload: Buffer.alloc(1), created_at: 2 })
          .execute();
      }),
    ).rejects.toThrow();
    const count = await db
      .selectFrom('items')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('treats SQL-shaped strings as data', async () => {
    const opened = await storeCase.open(migrations);
    cleanup = opened.cleanup;
    const db = opened.store.db.withTables<Items>();
    const evil = "x'); DROP TABLE items; --";
    await db
      .insertInto('items')
      .values({ name: evil, payload: Buffer.alloc(0), created_at: 1 })
      .execute();
    const rows = await db.selectFrom('items').select('name').execute();
    expect(rows.map((r) => r.name)).toEqual([evil]);
  });
});

describe.each(storeCases)('migrations on $name', (storeCase) => {
  it('let a process with fewer modules open a store migrated by a fuller one', async () => {
    const extra: ModuleMigration = {
      name: 'test_002_extra',
      async up(db) {
        await db.schema.createTable('extra').addColumn('id', 'integer').execute();
      },
    };
    const opened = await storeCase.open([...migrations, extra]);
    try {
      const { migrate } = await import('./migrate.ts');
      // The fuller process applied test_002_extra; this one knows only test_001_items.
      await expect(migrate(opened.store, migrations)).resolves.toEqual([]);
      const more: ModuleMigration = {
        name: 'test_003_more',
        up: async (db) => db.schema.createTable('more').addColumn('id', 'integer').execute(),
      };
      await expect(migrate(opened.store, [...migrations, more])).resolves.toEqual(['test_003_more']);
    } finally {
      await opened.cleanup();
    }
  });
});
