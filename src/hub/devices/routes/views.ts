import type { FastifyRequest } from 'fastify';
import { MsecError } from '../../../core/index.ts';
import type { ResourceRef } from '../../../iam/index.ts';
import type { DeviceRecord, DeviceRegistry } from '../registry.ts';

/** What the API shows of a device (never the EK or AK blobs' internals beyond presence). */
export function deviceView(d: DeviceRecord): Record<string, unknown> {
  return {
    id: d.id,
    org: d.org,
    principalId: d.principalId,
    status: d.status,
    keystore: d.keystore,
    keyVersion: d.keyVersion,
    signingKey: d.signingJwk,
    attestation: { status: d.attestation, reason: d.attestationReason, at: d.attestationAt, last: d.lastAttestation },
    goldenPcrs: d.goldenPcrs,
    tpm: d.keystore === 'tpm' ? { ek: d.ekJwk, attestationKey: d.akPublic } : null,
    lastCounter: d.lastCounter,
    metadata: d.metadata,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export function deviceResource(d: DeviceRecord): ResourceRef {
  return { type: 'device', id: d.id, org: d.org, owner: d.principalId };
}

/**
 * Route-level resource for `/devices/:id/...`: the device is not loaded yet, so the route admits
 * callers of its own org or the device itself; the handler authorizes against the loaded device.
 */
export function provisionalDevice(req: FastifyRequest): ResourceRef {
  return { type: 'device', id: (req.params as { id?: string }).id, org: req.subject?.org, owner: req.subject?.id };
}

export async function loadAuthorized(
  req: FastifyRequest,
  registry: DeviceRegistry,
  action: string,
): Promise<DeviceRecord> {
  const id = (req.params as { id: string }).id;
  const device = await registry.get(id);
  const missing = () => new MsecError('NOT_FOUND', `device ${id} not found`);
  if (!device) throw missing();
  req.authorize(action, deviceResource(device), missing());
  req.auditNote = { resource: `device id=${device.id}`, orgId: device.org };
  return device;
}
