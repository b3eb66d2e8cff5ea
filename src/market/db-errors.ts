/** Recognises constraint violations of either store dialect (SQLite via better-sqlite3, PostgreSQL via pg). */
function codeAndMessage(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  return { code: typeof e?.code === 'string' ? e.code : '', message: typeof e?.message === 'string' ? e.message : '' };
}

export function isCheckViolation(err: unknown): boolean {
  const { code, message } = codeAndMessage(err);
  return code === '23514' || code === 'SQLITE_CONSTRAINT_CHECK' || /CHECK constraint failed/i.test(message);
}

export function isUniqueViolation(err: unknown): boolean {
  const { code, message } = codeAndMessage(err);
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed/i.test(message)
  );
}
