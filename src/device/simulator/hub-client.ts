/** A small HTTP client for the hub's device API; hub errors come back as MsecError with the hub's code. */
import { MsecError } from '../../core/errors.ts';

export interface HubResponse<T> {
  status: number;
  body: T;
}

export class HubClient {
  readonly base: string;

  constructor(hubUrl: string) {
    let url: URL;
    try {
      url = new URL(hubUrl);
    } catch {
      throw new MsecError('VALIDATION_FAILED', `hub URL is not a URL: ${hubUrl}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new MsecError('VALIDATION_FAILED', 'hub URL must be http or https');
    this.base = url.origin + url.pathname.replace(/\/+$/, '');
  }

  async json<T>(method: string, path: string, opts: { body?: unknown; token?: string } = {}): Promise<HubResponse<T>> {
    return this.send<T>(method, path, {
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body), contentType: 'application/json' } : {}),
      ...(opts.token ? { token: opts.token } : {}),
    });
  }

  async cose<T>(path: string, bytes: Uint8Array, token: string): Promise<HubResponse<T>> {
    return this.send<T>('POST', path, { body: bytes, contentType: 'application/cose', token });
  }

  private async send<T>(
    method: string,
    path: string,
    opts: { body?: string | Uint8Array; contentType?: string; token?: string },
  ): Promise<HubResponse<T>> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/v1${path}`, {
        method,
        headers: {
          ...(opts.contentType ? { 'content-type': opts.contentType } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
        ...(opts.body !== undefined ? { body: opts.body } : {}),
      });
    } catch (err) {
      throw new MsecError('HUB_UNREACHABLE', `cannot reach the hub at ${this.base}: ${(err as Error).message}`, {
        status: 503,
      });
    }
    const text = await res.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    if (res.status >= 400) {
      const e = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new MsecError(e?.code ?? 'HUB_ERROR', e?.message ?? `hub answered ${res.status}`, { status: res.status });
    }
    return { status: res.status, body: body as T };
  }
}
