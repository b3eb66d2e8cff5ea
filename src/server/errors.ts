import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MsecError, isMsecError } from '../core/index.ts';
import { httpStatusOf } from './http-status.ts';

/** Fastify's own error codes, mapped to our stable ones. */
const FASTIFY_CODES: Record<string, { code: string; status: number; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', status: 400, message: 'request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', status: 400, message: 'request body is empty' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', status: 413, message: 'request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, message: 'unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'MALFORMED_INPUT',
    status: 400,
    message: 'content length does not match the body',
  },
  FST_ERR_CTP_INVALID_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'MALFORMED_INPUT', status: 400, message: 'the request is malformed' },
  FST_ERR_BAD_URL: { code: 'MALFORMED_URL', status: 400, message: 'the URL is not valid (bad percent-encoding)' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'URI_TOO_LONG', status: 414, message: 'a path segment is too long' },
};

/** Messages of Node's HTTP parser errors (answered before Fastify sees a request). */
const CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'HEADERS_TOO_LARGE', message: 'request headers are too large' },
  HPE_UNEXPECTED_CONTENT_LENGTH: {
    status: 400,
    code: 'MALFORMED_INPUT',
    message: 'content length does not match the body',
  },
  HPE_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'MALFORMED_INPUT',
    message: 'content length does not match the body',
  },
};

/**
 * Fastify's clientErrorHandler: errors of the HTTP parser get the one error body too (never the
 * path or a header echoed back), then the connection closes.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const e = (err.code && CLIENT_ERRORS[err.code]) || {
    status: 400,
    code: 'MALFORMED_INPUT',
    message: 'the request is malformed',
  };
  const body = JSON.stringify({ error: { code: e.code, message: e.message } });
  socket.end(
    `HTTP/1.1 ${e.status} ${e.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Fastify's frameworkErrors: bad percent-encoding and over-long path segments, before routing. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const e = toMsecError(err);
  reply.status(e.status).type('application/json').send(e.toJSON());
}

export function toMsecError(err: FastifyError | Error): MsecError {
  if (isMsecError(err)) return err;
  const fe = err as FastifyError & { validationContext?: string };
  if (fe.validation) {
    return new MsecError(
      'VALIDATION_FAILED',
      `${fe.validationContext ?? 'request'} ${fe.validation[0]?.instancePath || ''} ${fe.validation[0]?.message ?? fe.message}`
        .replace(/\s+/g, ' ')
        .trim(),
      {
        details: {
          issues: fe.validation.map((v) => ({ path: v.instancePath || '/', message: v.message, params: v.params })),
        },
      },
    );
  }
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped)
    return new MsecError(mapped.code, mapped.message ?? 'the request is malformed', { status: mapped.status });
  if (err instanceof SyntaxError) return new MsecError('MALFORMED_JSON', 'request body is not valid JSON');
  if (fe.statusCode === 429) return new MsecError('RATE_LIMITED', 'too many requests; slow down');
  // Anything else the framework refuses: a stable code, and no message that could echo input.
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)
    return new MsecError('MALFORMED_INPUT', 'the request is malformed', { status: fe.statusCode });
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
    const after = (e.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (e.code === 'LOGIN_THROTTLED' && typeof after === 'number') reply.header('retry-after', after);
    reply.status(status).type('application/json').send(e.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    req.errorCode = 'NOT_FOUND';
    // The path is not echoed back: see /docs for the routes there are.
    reply.status(404).send(new MsecError('NOT_FOUND', `no such route; see /docs`).toJSON());
  });
}
