import type { FastifyInstance } from 'fastify';
import { errorReplies, MsecError } from '../../../core/index.ts';
import type { DevicesHub } from '../service.ts';
import { ReadingAccepted } from './replies.ts';

/** Largest HTTP body taken for a reading; the ingestor enforces the exact COSE limits. */
const COSE_BODY_LIMIT = 64 * 1024;

export async function readingRoutes(app: FastifyInstance, hub: DevicesHub): Promise<void> {
  app.addContentTypeParser('application/cose', { parseAs: 'buffer', bodyLimit: COSE_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );

  app.post(
    '/readings',
    {
      config: {
        security: {
          action: 'hub:reading:publish',
          audit: 'handler',
          resource: (req) => ({ type: 'reading', org: req.subject?.org, owner: req.subject?.id }),
        },
      },
      schema: {
        tags: ['devices'],
        summary: 'Submit one signed (COSE_Sign1) or sealed (COSE_Encrypt) reading, body application/cose',
        response: {
          202: ReadingAccepted,
          ...errorReplies({
            409: 'READING_REPLAYED: the counter is not above the last accepted one',
            413: 'COSE_TOO_LARGE / BODY_TOO_LARGE',
            415: 'UNSUPPORTED_MEDIA_TYPE: send application/cose',
          }),
        },
        security: [{ bearerAuth: [] }],
      },
    },
    async (req, reply) => {
      if (!Buffer.isBuffer(req.body))
        throw new MsecError('UNSUPPORTED_MEDIA_TYPE', 'send the reading as application/cose');
      const r = await hub.ingestor.ingest(req.body, { transport: 'http', subject: req.subject, ip: req.ip });
      req.auditNote = {
        resource: `device id=${r.deviceId}`,
        orgId: r.org,
        detail: { counter: r.counter, resource: `${r.provider}/${r.service}/${r.resource}` },
      };
      reply.status(202);
      return {
        deviceId: r.deviceId,
        resource: `${r.provider}/${r.service}/${r.resource}`,
        value: r.value,
        ...(r.unit !== undefined ? { unit: r.unit } : {}),
        counter: r.counter,
        timestamp: r.timestamp,
        receivedAt: r.receivedAt,
        attestation: r.attestation,
      };
    },
  );
}
