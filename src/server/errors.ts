import type { FastifyError, FastifyInstance } from 'fastify';
import { MsecError, isMsecError } from '../core/index.ts';
import { httpStatusOf } from './http-status.ts';

/** Fastify's own error codes, mapped to our stable ones. */
const FASTIFY_CODES: Record<string, { code: string; status: number; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', status: 400, message: 'request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', status: 400, message: 'request body is empty' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', status: 413, message: 'request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, message: 'unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'MALFORMED_INPUT', status: 400, message: 'content length does not match the body' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'MALFORMED_INPUT', status: 400 },
};

export function toMsecError(err: FastifyError | Error): MsecError {
  if (isMsecError(err)) return err;
  const fe = err as FastifyError & { validationContext?: string };
  if (fe.validation) {
    return new MsecError('VALIDATION_FAILED', `${fe.validationContext ?? 'request'} ${fe.validation[0]?.instancePath || ''} ${fe.validation[0]?.message ?? fe.message}`.replace(/\s+/g, ' ').trim(), {
      details: { issues: fe.validation.map((v) => ({ path: v.instancePath || '/', message: v.message, params: v.params })) },
    });
  }
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return new MsecError(mapped.code, mapped.message ?? fe.message, { status: mapped.status });
  if (err instanceof SyntaxError) return new MsecError('MALFORMED_JSON', 'request body is not valid JSON');
  if (fe.statusCode === 429) return new MsecError('RATE_LIMITED', 'too many requests; slow down');
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new MsecError('MALFORMED_INPUT', fe.message, { status: fe.statusCode });
  }
  return new MsecError('INTERNAL', 'internal error', { status: 500, cause: err });
}

/** One JSON error body everywhere: {error: {code, message}}; never a stack trace. */
declare module 'fastify' {
  interface FastifyRequest {
    /** The stable code of the error this request was answered with, for accounting. */
    errorCode?: string;
  }
}

export function installErrorHandling(app: FastifyInstance): void {
  app.decorateRequest('errorCode', undefined);
  app.setErrorHandler((err, req, reply) => {
    const e = toMsecError(err as FastifyError);
    const status = httpStatusOf(e);
    req.errorCode = e.code;
    if (status >= 500) req.log.error({ err }, 'request failed');
    else req.log.debug({ code: e.code }, e.message);
    if (e.code === 'RATE_LIMITED') {
      const retry = (err as FastifyError & { retryAfter?: number }).retryAfter;
      if (retry) reply.header('retry-after', Math.ceil(retry / 1000));
    }
    reply.status(status).type('application/json').send(e.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    req.errorCode = 'NOT_FOUND';
    reply.status(404).send(new MsecError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`).toJSON());
  });
}
