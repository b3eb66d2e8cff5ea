import { MsecError } from '../../core/index.ts';

/** Opaque pagination cursor: the (ts, id) of the last row returned. */
export interface HistoryCursor {
  ts: number;
  id: number;
}

export function encodeCursor(c: HistoryCursor): string {
  return Buffer.from(`${c.ts}.${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(text: string): HistoryCursor {
  const bad = () => new MsecError('VALIDATION_FAILED', 'cursor is not one this API returned');
  if (text.length > 64 || !/^[A-Za-z0-9_-]+$/.test(text)) throw bad();
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!m) throw bad();
  const ts = Number(m[1]);
  const id = Number(m[2]);
  if (!Number.isSafeInteger(ts) || !Number.isSafeInteger(id)) throw bad();
  return { ts, id };
}
