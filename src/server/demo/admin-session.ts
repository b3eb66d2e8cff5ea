import type { FastifyInstance } from 'fastify';
import type { Iam } from '../../iam/index.ts';

export interface InjectedResponse {
  status: number;
  body: unknown;
}

/**
 * The demo configures its hubs through their own REST API (app.inject: the same validation,
 * authorization and audit as an administrator's requests), acting as the bootstrap admin.
 */
export class AdminSession {
  private constructor(
    private readonly app: FastifyInstance,
    private readonly token: string,
  ) {}

  static async open(app: FastifyInstance, iam: Iam): Promise<AdminSession> {
    const admin = await iam.directory.findByName('admin');
    if (!admin) throw new Error('the demo needs the bootstrap admin');
    const { accessToken } = await iam.tokens.issue(admin);
    return new AdminSession(app, accessToken);
  }

  async call(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<InjectedResponse> {
    const res = await this.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${this.token}` },
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as unknown) : undefined };
  }

  /** Like call(), but throws unless the status is one of `ok`. */
  async expect<T>(ok: number[], method: 'GET' | 'POST', url: string, payload?: unknown): Promise<T> {
    const r = await this.call(method, url, payload);
    if (!ok.includes(r.status))
      throw new Error(`${method} ${url} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body as T;
  }
}
