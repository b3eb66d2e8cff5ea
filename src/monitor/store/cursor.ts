import { MsecError } from '../../core/index.ts';

/** Opaque page cursor: the sort key of the last item served, base64url JSON. */
export function encodeCursor(key: Array<number | string>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): [number, number] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x)))
      return [v[0] as number, v[1] as number];
  } catch {
    // fall through to the one error below
  }
  throw new MsecError('MONITOR_CURSOR_INVALID', 'cursor is not one this API issued', { status: 400 });
}

/** Alerts page by (last_seen, id): the id is text. */
export function decodeAlertCursor(cursor: string): [number, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'number' &&
      Number.isFinite(v[0]) &&
      typeof v[1] === 'string'
    )
      return [v[0], v[1]];
  } catch {
    // fall through
  }
  throw new MsecError('MONITOR_CURSOR_INVALID', 'cursor is not one this API issued', { status: 400 });
}
