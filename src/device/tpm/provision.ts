import { MsecError } from '../../core/errors.ts';
import { EK_ECC_PERSISTENT_HANDLE, SRK_PERSISTENT_HANDLE, TPM_RH } from './constants.ts';
import { isTpmRc } from './errors.ts';
import type { TpmClient } from './client.ts';
import { flushContext } from './commands/base.ts';
import { create, createPrimary, evictControl, load, readPublic, type LoadedObject } from './commands/objects.ts';
import type { EccPublicArea } from './structures.ts';
import { ekTemplate, srkTemplate } from './templates.ts';

/** Public area of a persistent object, or undefined when the handle is empty. */
export async function readPersistent(tpm: TpmClient, handle: number): Promise<LoadedObject | undefined> {
  try {
    return await readPublic(tpm, handle);
  } catch (err) {
    if (isTpmRc(err, 'HANDLE')) return undefined;
    throw err;
  }
}

/** Makes a transient object persistent at `persistentHandle` and frees the transient slot. */
export async function persist(
  tpm: TpmClient,
  transientHandle: number,
  persistentHandle: number,
): Promise<LoadedObject> {
  try {
    await evictControl(tpm, transientHandle, persistentHandle);
  } finally {
    await flushContext(tpm, transientHandle);
  }
  return readPublic(tpm, persistentHandle);
}

/** A primary key at its conventional persistent handle, created from `template` on first use. */
export async function ensurePersistentPrimary(
  tpm: TpmClient,
  hierarchy: number,
  template: EccPublicArea,
  persistentHandle: number,
): Promise<LoadedObject> {
  const existing = await readPersistent(tpm, persistentHandle);
  if (existing) {
    if (existing.publicArea.objectAttributes !== template.objectAttributes) {
      throw new MsecError(
        'TPM_HANDLE_OCCUPIED',
        `persistent handle 0x${persistentHandle.toString(16)} holds another kind of key`,
        {
          status: 409,
        },
      );
    }
    return existing;
  }
  const primary = await createPrimary(tpm, hierarchy, template);
  return persist(tpm, primary.handle, persistentHandle);
}

/** The storage root key (0x81000001). */
export function ensureSrk(tpm: TpmClient): Promise<LoadedObject> {
  return ensurePersistentPrimary(tpm, TPM_RH.OWNER, srkTemplate(), SRK_PERSISTENT_HANDLE);
}

/** The ECC endorsement key (0x81010002); deterministic from the TPM's endorsement seed. */
export function ensureEk(tpm: TpmClient): Promise<LoadedObject> {
  return ensurePersistentPrimary(tpm, TPM_RH.ENDORSEMENT, ekTemplate(), EK_ECC_PERSISTENT_HANDLE);
}

/** Creates a key from `template` under `parentHandle` inside the TPM and stores it at `persistentHandle`. */
export async function createPersistentKey(
  tpm: TpmClient,
  parentHandle: number,
  template: EccPublicArea,
  persistentHandle: number,
): Promise<LoadedObject> {
  const created = await create(tpm, parentHandle, template);
  const loaded = await load(tpm, parentHandle, created);
  return persist(tpm, loaded.handle, persistentHandle);
}
