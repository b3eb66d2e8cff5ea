import { MsecError } from '../core/index.ts';

/** Where a command reaches a running platform, and as whom (`--hub`, `--token`). */
export interface PlatformApiOptions {
  hub: string;
  token?: string;
}

/**
 * One call to a running platform's API. An error reply becomes an MsecError with the server's
 * code, message and details (a validator's further problems are appended to the message).
 */
export async function callPlatformApi(
  o: PlatformApiOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<any> {
  if (!o.token) throw new MsecError('VALIDATION_FAILED', 'pass --token TOKEN (or set MSEC_TOKEN)');
  let res: Response;
  try {
    res = await fetch(`${o.hub.replace(/\/$/, '')}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${o.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new MsecError('UNAVAILABLE', `cannot reach ${o.hub}: ${(err as Error).message}`);
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as any) : undefined;
  if (!res.ok) {
    const e = json?.error ?? {};
    const problems: string[] = e.details?.problems ?? [];
    throw new MsecError(e.code ?? 'INTERNAL', [e.message ?? `HTTP ${res.status}`, ...problems.slice(1)].join('; '), {
      status: res.status,
      ...(e.details ? { details: e.details } : {}),
    });
  }
  return json;
}
