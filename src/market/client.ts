import { MsecError } from '../core/index.ts';

/** The market's HTTP API from a client's side (the CLI, agents): bearer token or API key. */
export class MarketClient {
  constructor(private readonly opts: { baseUrl: string; token: string; fetch?: typeof fetch }) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.opts.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(new URL(`/api/v1/market${path}`, this.opts.baseUrl), {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new MsecError('UNAVAILABLE', `cannot reach ${this.opts.baseUrl}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new MsecError('UNAVAILABLE', `the server answered HTTP ${res.status} with non-JSON`);
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new MsecError(e?.code ?? 'INTERNAL', e?.message ?? `HTTP ${res.status}`, { status: res.status });
    }
    return json as T;
  }
}
