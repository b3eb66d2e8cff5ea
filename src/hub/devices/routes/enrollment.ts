import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { errorReplies, MsecError } from '../../../core/index.ts';
import type { DevicesHub } from '../service.ts';
import { ActivateBody, CreateTokenBody, FinishBody, StartBody } from './schemas.ts';
import { ActivationRequired, Enrolled, EnrollmentStarted, EnrollmentToken, HubKey } from './replies.ts';
import { deviceView } from './views.ts';

/** `perMinute`: enrollment calls allowed per client address and minute (config auth.enrollmentRateLimitPerMinute). */
export async function enrollmentRoutes(app: FastifyInstance, hub: DevicesHub, perMinute: number): Promise<void> {
  const ENROLL_RATE = { max: perMinute, timeWindow: '1 minute' };
  app.post<{ Body: Static<typeof CreateTokenBody> }>(
    '/devices/enrollment-tokens',
    {
      config: {
        security: {
          action: 'hub:device:enroll',
          resource: (req) => ({
            type: 'device',
            org: (req.body as { org?: string } | undefined)?.org ?? req.subject?.org,
          }),
        },
      },
      schema: {
        tags: ['devices'],
        summary: 'Create a one-time enrollment token for an organisation (shown once)',
        response: { 201: EnrollmentToken },
        body: CreateTokenBody,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req, reply) => {
      const org = req.body.org ?? req.subject!.org;
      const { token, info } = await hub.tokens.create({
        org,
        ttlSeconds: req.body.ttlSeconds ?? 3600,
        maxUses: req.body.maxUses ?? 1,
        createdBy: req.subject!.id,
      });
      req.auditNote = {
        resource: `enrollment-token id=${info.id}`,
        orgId: org,
        detail: { maxUses: info.maxUses, expiresAt: info.expiresAt },
      };
      reply.status(201);
      return { token, ...info };
    },
  );

  app.get(
    '/devices/hub-key',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['devices'],
        summary: "The hub's ECDH public key that devices seal confidential readings to",
        response: { 200: HubKey },
      },
    },
    async () => ({ jwk: hub.hubKey.publicJwk, kid: hub.hubKey.kid }),
  );

  app.post<{ Body: Static<typeof StartBody> }>(
    '/devices/enroll/start',
    {
      config: { security: { public: true }, rateLimit: ENROLL_RATE },
      schema: {
        tags: ['devices'],
        summary: 'Start enrollment with a one-time token; returns the nonce to sign',
        response: { 200: EnrollmentStarted, ...errorReplies({ 401: 'ENROLLMENT_TOKEN_INVALID' }) },
        body: StartBody,
      },
    },
    async (req) => {
      req.auditAction = 'hub:device:enroll-start';
      return hub.enrollment.start(req.body.token);
    },
  );

  app.post<{ Body: Static<typeof FinishBody> }>(
    '/devices/enroll/finish',
    {
      config: { security: { public: true }, rateLimit: ENROLL_RATE },
      schema: {
        tags: ['devices'],
        summary: 'Finish enrollment: public key, metadata, proof of possession (and TPM binding)',
        response: {
          201: Enrolled,
          202: ActivationRequired,
          ...errorReplies({ 401: 'ENROLLMENT_PROOF_INVALID', 409: 'DEVICE_EXISTS / DEVICE_ID_TAKEN' }),
        },
        body: FinishBody,
      },
    },
    async (req, reply) => {
      req.auditAction = 'hub:device:enroll';
      req.auditNote = { actorName: req.body.deviceId, resource: `device id=${req.body.deviceId}` };
      const result = await hub.enrollment.finish(req.body);
      if (result.status === 'activation-required') {
        reply.status(202);
        return result;
      }
      reply.status(201);
      return { status: result.status, device: deviceView(result.device), hubKey: result.hubKey };
    },
  );

  app.post<{ Body: Static<typeof ActivateBody> }>(
    '/devices/enroll/activate',
    {
      config: { security: { public: true }, rateLimit: ENROLL_RATE },
      schema: {
        tags: ['devices'],
        summary: 'TPM enrollment: return the activated credentials and the first quote',
        response: {
          201: Enrolled,
          ...errorReplies({ 401: 'ENROLLMENT_ACTIVATION_FAILED / ENROLLMENT_QUOTE_INVALID' }),
        },
        body: ActivateBody,
      },
    },
    async (req, reply) => {
      req.auditAction = 'hub:device:enroll';
      const result = await hub.enrollment.activate(req.body);
      if (result.status !== 'enrolled') throw new MsecError('INTERNAL', 'unexpected enrollment state');
      req.auditNote = {
        actorName: result.device.id,
        resource: `device id=${result.device.id}`,
        orgId: result.device.org,
      };
      reply.status(201);
      return { status: result.status, device: deviceView(result.device), hubKey: result.hubKey };
    },
  );
}
