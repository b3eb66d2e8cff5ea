/** What every market route shares: its tag, the id schema and how it names what it acts on. */
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Owner } from './wallets.ts';

export const Id = Type.String({ minLength: 1, maxLength: 128 });
export const IdemKey = Type.Optional(Type.String({ minLength: 1, maxLength: 128 }));

export const tags = ['market'];
/** The caller's own wallet, orders and trades: scope `self`. */
export const self = (action: string) => ({
  security: {
    action,
    resource: (req: FastifyRequest) => ({
      type: action.split(':')[1] ?? 'market',
      org: req.subject?.org,
      owner: req.subject?.id,
    }),
  },
});
export const orgWide = (action: string) => ({ security: { action } });
export const owner = (req: FastifyRequest): Owner => ({ id: req.subject!.id, org: req.subject!.org });
