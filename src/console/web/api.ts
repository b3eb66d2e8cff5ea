/**
 * The console's only way to the platform: same-origin fetch with the HttpOnly session cookie.
 * The CSRF token lives in this module's memory (never in localStorage); no bearer token exists here.
 */
export interface ApiError {
  status: number;
  code: string;
  message: string;
}

export class ApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

let csrf = '';
let onUnauthenticated: () => void = () => {};

export function setCsrf(token: string): void {
  csrf = token;
}

/** The CSRF header for requests the JSON helper cannot make (raw uploads); empty before login. */
export function csrfHeaders(): Record<string, string> {
  return csrf ? { 'x-csrf-token': csrf } : {};
}

/** Called when the session is gone (expired past refresh, revoked): the app returns to login. */
export function onSessionLost(fn: () => void): void {
  onUnauthenticated = fn;
}

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(signal ? { signal } : {}),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiFailure({ status: 0, code: 'NETWORK', message: 'the platform cannot be reached' });
  }
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
    const err: ApiError = {
      status: res.status,
      code: e?.code ?? 'HTTP_' + res.status,
      message: e?.message ?? res.statusText,
    };
    if (res.status === 401 && path !== '/console/session') onUnauthenticated();
    throw new ApiFailure(err);
  }
  return data as T;
}

export function errorText(err: unknown): string {
  return err instanceof ApiFailure ? `${err.error.message} (${err.error.code})` : String(err);
}
