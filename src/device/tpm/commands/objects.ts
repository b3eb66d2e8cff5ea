import { TPM_CC, TPM_RH } from '../constants.ts';
import { TpmWriter } from '../marshal.ts';
import { passwordSession, type TpmClient } from '../client.ts';
import {
  emptySensitiveCreate,
  marshalEccPublic,
  objectName,
  parseTpm2bPublic,
  type EccPublicArea,
} from '../structures.ts';

export interface LoadedObject {
  handle: number;
  publicArea: EccPublicArea;
  /** Marshalled TPMT_PUBLIC exactly as the TPM returned it. */
  publicBytes: Buffer;
  name: Buffer;
}

export interface CreatedKey {
  /** TPM2B_PRIVATE contents: encrypted by the parent, useless outside this TPM. */
  privateBlob: Buffer;
  publicBytes: Buffer;
  publicArea: EccPublicArea;
}

function creationParams(template: EccPublicArea): Buffer {
  return new TpmWriter()
    .bytes(emptySensitiveCreate())
    .tpm2b(marshalEccPublic(template))
    .tpm2b(new Uint8Array(0)) // outsideInfo
    .u32(0) // creationPCR: none
    .toBuffer();
}

function checkName(name: Buffer, publicBytes: Buffer, r: { fail(m: string): never }): void {
  if (!name.equals(objectName(publicBytes))) r.fail('object name does not match its public area');
}

/** TPM2_CreatePrimary under `hierarchy` (TPM_RH_OWNER for the SRK, TPM_RH_ENDORSEMENT for the EK). */
export async function createPrimary(tpm: TpmClient, hierarchy: number, template: EccPublicArea): Promise<LoadedObject> {
  const res = await tpm.execute(TPM_CC.CreatePrimary, {
    handles: [hierarchy],
    sessions: [passwordSession()],
    params: creationParams(template),
    responseHandles: 1,
  });
  const { area, bytes } = parseTpm2bPublic(res.params);
  res.params.tpm2b('creationData', 4096);
  res.params.tpm2b('creationHash', 64);
  res.params.u16(); // creationTicket tag
  res.params.u32(); // creationTicket hierarchy
  res.params.tpm2b('creationTicket digest', 64);
  const name = res.params.tpm2b('name', 66);
  checkName(name, bytes, res.params);
  return { handle: res.handles[0] ?? res.params.fail('no object handle'), publicArea: area, publicBytes: bytes, name };
}

/** TPM2_Create: a new key under a loaded storage parent (not loaded yet). */
export async function create(tpm: TpmClient, parentHandle: number, template: EccPublicArea): Promise<CreatedKey> {
  const res = await tpm.execute(TPM_CC.Create, {
    handles: [parentHandle],
    sessions: [passwordSession()],
    params: creationParams(template),
  });
  const privateBlob = res.params.tpm2b('outPrivate', 2048);
  const { area, bytes } = parseTpm2bPublic(res.params);
  return { privateBlob, publicBytes: bytes, publicArea: area };
}

/** TPM2_Load: loads a created key under its parent, returning a transient handle. */
export async function load(tpm: TpmClient, parentHandle: number, key: CreatedKey): Promise<LoadedObject> {
  const params = new TpmWriter().tpm2b(key.privateBlob).tpm2b(key.publicBytes).toBuffer();
  const res = await tpm.execute(TPM_CC.Load, {
    handles: [parentHandle],
    sessions: [passwordSession()],
    params,
    responseHandles: 1,
  });
  const name = res.params.tpm2b('name', 66);
  checkName(name, key.publicBytes, res.params);
  return {
    handle: res.handles[0] ?? res.params.fail('no object handle'),
    publicArea: key.publicArea,
    publicBytes: key.publicBytes,
    name,
  };
}

/** TPM2_ReadPublic of a loaded or persistent object. */
export async function readPublic(tpm: TpmClient, handle: number): Promise<LoadedObject> {
  const res = await tpm.execute(TPM_CC.ReadPublic, { handles: [handle] });
  const { area, bytes } = parseTpm2bPublic(res.params);
  const name = res.params.tpm2b('name', 66);
  checkName(name, bytes, res.params);
  return { handle, publicArea: area, publicBytes: bytes, name };
}

/**
 * TPM2_EvictControl (owner authorization): with a transient `objectHandle`, copies it to
 * `persistentHandle` (survives reboots); with a persistent one, removes it.
 */
export async function evictControl(tpm: TpmClient, objectHandle: number, persistentHandle: number): Promise<void> {
  await tpm.execute(TPM_CC.EvictControl, {
    handles: [TPM_RH.OWNER, objectHandle],
    sessions: [passwordSession()],
    params: new TpmWriter().u32(persistentHandle).toBuffer(),
  });
}
