import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { errorReplies } from '../../../core/index.ts';
import type { Iam } from '../../../iam/index.ts';
import type { DevicesHub } from '../service.ts';
import { DeviceIdParams, GoldenPcrsBody, ListQuery, QuoteBody, RevokeBody, RotateBody } from './schemas.ts';
import { Challenge, DeviceList, DeviceView, GoldenPcrs, KeyRotated, QuoteOutcome } from './replies.ts';
import { deviceResource, deviceView, loadAuthorized, provisionalDevice } from './views.ts';

type IdReq = { Params: Static<typeof DeviceIdParams> };

export async function deviceRoutes(app: FastifyInstance, hub: DevicesHub, iam: Iam): Promise<void> {
  const { registry } = hub;
  const secured = (action: string) => ({ security: { action, resource: provisionalDevice } });

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/devices',
    {
      config: {
        security: {
          action: 'hub:device:read',
          resource: (req) => ({
            type: 'device',
            org: (req.query as { org?: string }).org ?? req.subject?.org,
            owner: req.subject?.id,
          }),
        },
      },
      schema: {
        tags: ['devices'],
        summary: 'List devices visible to the caller, with their status',
        response: { 200: DeviceList },
        querystring: ListQuery,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req) => {
      const s = req.subject!;
      // Platform staff may list any org; everyone else sees their own org, filtered per device.
      const org = req.query.org ?? (s.org === 'platform' ? undefined : s.org);
      const items = await registry.list({ org, limit: req.query.limit ?? 100, offset: req.query.offset ?? 0 });
      return { items: items.filter((d) => iam.decide(s, 'hub:device:read', deviceResource(d)).allow).map(deviceView) };
    },
  );

  app.get<IdReq>(
    '/devices/:id',
    {
      config: secured('hub:device:read'),
      schema: {
        tags: ['devices'],
        summary: 'Get a device and its status',
        response: { 200: DeviceView },
        params: DeviceIdParams,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req) => deviceView(await loadAuthorized(req, registry, 'hub:device:read')),
  );

  app.post<IdReq & { Body: Static<typeof RevokeBody> }>(
    '/devices/:id/revoke',
    {
      config: secured('hub:device:revoke'),
      schema: {
        tags: ['devices'],
        summary: 'Revoke a device and its key',
        response: { 200: DeviceView, ...errorReplies({ 409: 'DEVICE_ALREADY_REVOKED' }) },
        params: DeviceIdParams,
        body: RevokeBody,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req) => {
      const device = await loadAuthorized(req, registry, 'hub:device:revoke');
      await hub.keys.revoke(device, req.body?.reason ?? 'revoked by an operator');
      return deviceView((await registry.get(device.id))!);
    },
  );

  app.post<IdReq & { Body: Static<typeof RotateBody> }>(
    '/devices/:id/keys/rotate',
    {
      config: secured('hub:device:rotate'),
      schema: {
        tags: ['devices'],
        summary: 'Rotate the device signing key (the device, signing with both keys)',
        response: { 200: KeyRotated, ...errorReplies({ 409: 'the device is revoked or the proof does not match' }) },
        params: DeviceIdParams,
        body: RotateBody,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req) => {
      const device = await loadAuthorized(req, registry, 'hub:device:rotate');
      const keyVersion = await hub.keys.rotate(device, req.body);
      return { id: device.id, keyVersion };
    },
  );

  app.put<IdReq & { Body: Static<typeof GoldenPcrsBody> }>(
    '/devices/:id/golden-pcrs',
    {
      config: secured('hub:device:update'),
      schema: {
        tags: ['devices'],
        summary: 'Set the golden SHA-256 PCR values attestation compares against',
        response: { 200: GoldenPcrs, ...errorReplies({ 409: 'not a TPM device' }) },
        params: DeviceIdParams,
        body: GoldenPcrsBody,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req) => {
      const device = await loadAuthorized(req, registry, 'hub:device:update');
      return { id: device.id, goldenPcrs: await hub.attestation.setGoldenPcrs(device, req.body.pcrs) };
    },
  );

  app.post<IdReq>(
    '/devices/:id/release',
    {
      config: secured('hub:device:release'),
      schema: {
        tags: ['devices'],
        summary: 'Release a quarantined device after a passing attestation',
        response: { 200: DeviceView, ...errorReplies({ 409: 'not quarantined, or no passing attestation' }) },
        params: DeviceIdParams,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req) => {
      const device = await loadAuthorized(req, registry, 'hub:device:release');
      await hub.attestation.release(device);
      return deviceView((await registry.get(device.id))!);
    },
  );

  app.post<IdReq>(
    '/devices/:id/attestation/challenge',
    {
      config: secured('hub:device:attest'),
      schema: {
        tags: ['devices'],
        summary: 'Ask a TPM device for a quote (nonce + PCR selection)',
        response: { 201: Challenge, ...errorReplies({ 409: 'ATTESTATION_NO_GOLDEN_VALUES / not a TPM device' }) },
        params: DeviceIdParams,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req, reply) => {
      const device = await loadAuthorized(req, registry, 'hub:device:attest');
      reply.status(201);
      return hub.attestation.challenge(device);
    },
  );

  app.get<IdReq>(
    '/devices/:id/attestation/challenge',
    {
      config: secured('hub:device:quote'),
      schema: {
        tags: ['devices'],
        summary: 'The pending challenge (the device polls it)',
        response: { 200: Challenge },
        params: DeviceIdParams,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req) => hub.attestation.pending(await loadAuthorized(req, registry, 'hub:device:quote')),
  );

  app.post<IdReq & { Body: Static<typeof QuoteBody> }>(
    '/devices/:id/attestation/quote',
    {
      config: secured('hub:device:quote'),
      schema: {
        tags: ['devices'],
        summary: 'The device answers with a TPM quote',
        response: { 200: QuoteOutcome, ...errorReplies({ 409: 'not a TPM device' }) },
        params: DeviceIdParams,
        body: QuoteBody,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req) => {
      const device = await loadAuthorized(req, registry, 'hub:device:quote');
      return hub.attestation.answer(device, req.body);
    },
  );
}
