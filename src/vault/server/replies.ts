/** What the vault routes answer (their `schema.response`; Fastify serialises with these). */
import Type from 'typebox';
import { errorReplies, openObject } from '../../core/index.ts';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);
const LedgerBundle = openObject({}, { description: 'the ledger inclusion bundle (entry, proof, checkpoint)' });

export const KeyInfo = openObject({
  principalId: Type.String(),
  kid: Type.String(),
  publicKey: openObject({}, { description: 'P-256 JWK' }),
});

export const Stored = openObject({
  id: Type.String(),
  version: Type.Integer(),
  hash: Type.String({ description: 'hex' }),
  ledgerIndex: Type.Integer(),
});

export const RecordRead = openObject({
  id: Type.String(),
  ownerId: Type.String(),
  org: Type.String(),
  version: Type.Integer(),
  latestVersion: Type.Integer(),
  record: openObject({ alg: Type.String(), iv: Type.String(), ciphertext: Type.String() }),
  wrappedKey: openObject({}),
  hash: Type.String({ description: 'hex' }),
  ledger: LedgerBundle,
});

export const RecordProof = openObject({
  id: Type.String(),
  version: Type.Integer(),
  hash: Type.String({ description: 'hex' }),
  erased: Type.Boolean(),
  ledger: LedgerBundle,
});

export const Sharing = openObject({
  id: Type.String(),
  ownerId: Type.String(),
  latestVersion: Type.Integer(),
  erased: Type.Boolean(),
  readers: Type.Array(KeyInfo),
});

export const Granted = openObject({
  recordId: Type.String(),
  readerId: Type.String(),
  versions: Type.Array(Type.Integer()),
});
export const Revoked = openObject({ recordId: Type.String(), readerId: Type.String(), destroyedKeys: Type.Integer() });

export const Tombstone = openObject({
  id: Type.String(),
  ownerId: Type.String(),
  erasedAt: Type.Integer(),
  versions: Type.Array(openObject({ version: Type.Integer(), hash: Type.String(), ledgerIndex: Type.Integer() })),
});

export const AccessRequest = openObject({
  id: Type.String(),
  recordId: Type.String(),
  ownerId: Type.String(),
  requesterId: Type.String(),
  requesterKey: Nullable(KeyInfo),
  reason: Nullable(Type.String()),
  status: Type.String(),
  createdAt: Type.Integer(),
  decidedAt: Nullable(Type.Integer()),
});
export const AccessRequests = Type.Object({ items: Type.Array(AccessRequest) });

/** Refusals of the record routes beyond the common ones. */
export const recordErrors = errorReplies({
  409: 'CONFLICT (version, exists, already pending) / VAULT_NO_KEY',
  410: 'VAULT_ERASED: only the hash remains',
});

export const OwnRecords = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      latestVersion: Type.Integer(),
      createdAt: Type.Integer(),
      erasedAt: Nullable(Type.Integer()),
      readers: Type.Array(Type.String(), { description: 'readers holding an active grant' }),
      pendingRequests: Type.Integer(),
    }),
  ),
  nextOffset: Nullable(Type.Integer()),
});
