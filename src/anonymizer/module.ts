import { serviceKey, type PlatformModule, type PolicyStatement } from '../core/index.ts';
import { HUB_DEVICES } from '../hub/index.ts';
import { CameraDemo } from './demo.ts';
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
    id: 'anonymizer-camera-publish',
    effect: 'allow',
    roles: ['device'],
    actions: ['anonymizer:frame:publish'],
    scope: 'own-org',
    description: 'an enrolled camera publishes its anonymized frames in its organisation',
  },
  {
    id: 'anonymizer-camera-read',
    effect: 'allow',
    roles: ['admin', 'operator', 'provider', 'analyst'],
    actions: ['anonymizer:frame:read'],
    scope: 'own-org',
    description: "the organisation's people see its cameras' anonymized frames",
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
  let demo: CameraDemo | undefined;
  return {
    name: 'anonymizer',
    provides: [ANONYMIZER],
    // The demo camera enrolls on the hub when one runs in this process.
    uses: [HUB_DEVICES],
    policy: ANONYMIZER_POLICY,
    async start(ctx) {
      service = new AnonymizerService(ctx.config.dataDir);
      ctx.services.provide(ANONYMIZER, service);
    },
    async routes(app) {
      if (!service) throw new Error('the anonymizer module has not started');
      await anonymizerRoutes(app, service);
    },
    async demo(ctx) {
      const hub = ctx.services.find(HUB_DEVICES);
      if (!hub) return;
      demo = new CameraDemo(ctx, hub);
      await demo.start();
    },
    async stop() {
      await demo?.stop();
      await service?.close();
    },
  };
}
