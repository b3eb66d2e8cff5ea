import type { FastifyRequest } from 'fastify';
import { gunzipSync } from 'node:zlib';
import { MsecError } from '../../core/index.ts';
import { PLATFORM_ORG, type Iam } from '../../iam/index.ts';

/** The resource "every organisation": only statements with scope `platform` or `any` grant it. */
export const ALL_ORGS = '*';

export const bearer = [{ bearerAuth: [] }];

/**
 * The organisations a query may read, decided by the one policy engine: the `org` asked for
 * (checked), else everything for a subject allowed across organisations, else the subject's own.
 */
export function readableOrgs(
  req: FastifyRequest,
  iam: Iam,
  action: string,
  type: string,
  requested?: string,
): string[] | 'all' {
  const s = req.subject!;
  if (requested) {
    req.authorize(action, { type, org: requested });
    return [requested];
  }
  if (s.org === PLATFORM_ORG && iam.decide(s, action, { type, org: ALL_ORGS }).allow) return 'all';
  req.authorize(action, { type, org: s.org });
  return [s.org];
}

/** Route-level gate on the subject's own org (or the requested one); handlers narrow further. */
export function gate(action: string) {
  const type = action.split(':')[1] ?? 'event';
  return {
    security: {
      action,
      resource: (req: FastifyRequest) => ({
        type,
        org: (req.query as { org?: string } | undefined)?.org ?? req.subject?.org,
      }),
    },
  };
}

/** A body, gunzipped when sent with `content-encoding: gzip`, bounded after decompression. */
export function decodeBody(req: FastifyRequest, body: Buffer, maxBytes: number): Buffer {
  const enc = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (enc === 'identity') return body;
  if (enc !== 'gzip')
    throw new MsecError('UNSUPPORTED_MEDIA_TYPE', `content-encoding ${enc} is not supported (gzip is)`);
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes + 1 });
  } catch (err) {
    if (
      (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ||
      /Cannot create a Buffer larger|maxOutputLength/.test(String(err))
    ) {
      throw new MsecError('MONITOR_BATCH_TOO_LARGE', `batch is over ${maxBytes} bytes decompressed`, { status: 413 });
    }
    throw new MsecError('MALFORMED_INPUT', 'body is not valid gzip');
  }
}
