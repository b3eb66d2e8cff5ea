/** What the ledger routes answer (their `schema.response`; Fastify serialises with these). */
import Type from 'typebox';
import { openObject } from '../core/index.ts';

const Anchor = Type.Object({
  chainId: Type.Integer(),
  contract: Type.String(),
  txHash: Type.String(),
  blockNumber: Type.Integer(),
});

export const Checkpoint = Type.Object(
  {
    origin: Type.String(),
    size: Type.Integer(),
    rootHash: Type.String({ description: 'standard base64 of the 32-byte root' }),
    note: Type.String({ description: 'the C2SP signed note (what gets verified)' }),
    anchor: Type.Optional(Anchor),
  },
  { description: 'a signed tree head' },
);

export const Entry = openObject({
  index: Type.Integer(),
  kind: Type.String(),
  dataHash: Type.String({ description: 'hex' }),
  timestamp: Type.Integer(),
});

const Proof = Type.Object({
  format: Type.String(),
  index: Type.Integer(),
  treeSize: Type.Integer(),
  hashes: Type.Array(Type.String({ description: 'base64' })),
});

export const InclusionBundle = Type.Object({ entry: Entry, proof: Proof, checkpoint: Checkpoint });

export const ConsistencyBundle = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  hashes: Type.Array(Type.String({ description: 'base64' })),
  oldCheckpoint: Checkpoint,
  newCheckpoint: Checkpoint,
});

export const Anchors = Type.Object({
  latestSize: Type.Union([Type.Integer(), Type.Null()]),
  items: Type.Array(
    Type.Object({
      size: Type.Integer(),
      root: Type.String({ description: 'base64' }),
      ...Anchor.properties,
      createdAt: Type.Integer(),
    }),
  ),
});

export const ReadingProofBundle = Type.Object({
  reading: openObject({
    readingHash: Type.String({ description: 'hex' }),
    batchId: Type.String(),
    entryIndex: Type.Integer(),
    position: Type.Integer(),
    batchSize: Type.Integer(),
    batchProof: Type.Array(Type.String({ description: 'base64' })),
    batchRoot: Type.String({ description: 'hex' }),
  }),
  entry: Entry,
  proof: Proof,
  checkpoint: Checkpoint,
});
