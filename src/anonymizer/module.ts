import { serviceKey, type PlatformModule, type PolicyStatement } from '../core/index.ts';
import { anonymizerRoutes } from './server/routes.ts';
import { AnonymizerService } from './server/service.ts';

export const ANONYMIZER_POLICY: PolicyStatement[] = [
  {
    id: 'anonymizer-use',
    effect: 'allow',
    roles: ['admin', 'operator', 'provider', 'analyst'],
    actions: ['anonymizer:image:create', 'anonymizer:job:create'],
    scope: 'own-org',
    description: 'operators, analysts and camera providers anonymize images and videos before sharing them',
  },
  {
    id: 'anonymizer-own-jobs',
    effect: 'allow',
    roles: ['admin', 'operator', 'provider', 'analyst'],
    actions: ['anonymizer:job:read'],
    scope: 'self',
    description: 'a video job and its output are read by whoever submitted it',
  },
];

/** The anonymizer's image and video service, for modules that publish anonymized media. */
export const ANONYMIZER = serviceKey<AnonymizerService>('anonymizer');

/** Removes people, vehicles, faces and plates from images and videos (HTTP API; the CLI runs it directly). */
export function anonymizerModule(): PlatformModule {
  let service: AnonymizerService | undefined;
  return {
    name: 'anonymizer',
    provides: [ANONYMIZER],
    policy: ANONYMIZER_POLICY,
    async start(ctx) {
      service = new AnonymizerService(ctx.config.dataDir);
      ctx.services.provide(ANONYMIZER, service);
    },
    async routes(app) {
      if (!service) throw new Error('the anonymizer module has not started');
      await anonymizerRoutes(app, service);
    },
    async stop() {
      await service?.close();
    },
  };
}
