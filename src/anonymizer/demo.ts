/**
 * `msec up --demo`: GANonymizer's use case in Fujisawa, a camera on a garbage truck. Debian
 * opencv-doc's vtest.avi (pedestrians, a parked van) is looped in real time as the camera's feed,
 * anonymized (one detection thread, a frame every 2 s), and published to the hub as the enrolled
 * camera `fujisawa-garbage-truck-camera-1`: its twin shows `sha256:` of each frame, and the JPEG is
 * served at /api/v1/anonymizer/cameras/fujisawa-garbage-truck-camera-1/latest.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { newSecret, readTextIfExists, writePrivateFile, type ModuleContext } from '../core/index.ts';
import { SoftwareKeyStore } from '../device/index.ts';
import type { DevicesHub } from '../hub/index.ts';
import { HubCamera } from './hub-camera.ts';
import { LiveAnonymizer } from './live.ts';
import { parseOptions } from './options.ts';
import { DetectorPool } from './pool.ts';

export const DEMO_CAMERA = {
  id: 'fujisawa-garbage-truck-camera-1',
  org: 'fujisawa',
  name: 'Fujisawa garbage truck camera (anonymized on board), Shonandai',
  at: [139.4668, 35.3967] as [number, number],
};
export const DEMO_FOOTAGE = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
const DEMO_SCRYPT = { N: 2 ** 12, r: 8, p: 1 };

export class CameraDemo {
  private live: LiveAnonymizer | undefined;
  private pool: DetectorPool | undefined;
  private store: SoftwareKeyStore | undefined;

  constructor(
    private readonly ctx: ModuleContext,
    private readonly hub: DevicesHub,
  ) {}

  async start(): Promise<void> {
    if (!existsSync(DEMO_FOOTAGE)) {
      this.ctx.logger.warn(
        { file: DEMO_FOOTAGE },
        'demo camera not started: install Debian opencv-doc for its footage',
      );
      return;
    }
    const dir = join(this.ctx.config.dataDir, 'anonymizer', 'demo-camera');
    const passFile = join(dir, 'passphrase');
    let passphrase = readTextIfExists(passFile)?.trim();
    if (!passphrase) {
      passphrase = newSecret(24);
      writePrivateFile(passFile, passphrase);
    }
    this.store = await SoftwareKeyStore.open({ dir: join(dir, 'keys'), passphrase, scrypt: DEMO_SCRYPT });
    const enrolled = await this.hub.registry.get(DEMO_CAMERA.id);
    const token = enrolled
      ? undefined
      : (await this.hub.tokens.create({ org: DEMO_CAMERA.org, ttlSeconds: 300, maxUses: 1, createdBy: 'demo' })).token;
    const camera = await HubCamera.connect({
      hub: this.ctx.serverUrl(),
      deviceId: DEMO_CAMERA.id,
      keyStore: this.store,
      name: DEMO_CAMERA.name,
      at: DEMO_CAMERA.at,
      ...(token ? { enrollToken: token } : {}),
    });
    const options = parseOptions({ fill: 'inpaint' });
    this.pool = await DetectorPool.start(options, 1);
    this.live = new LiveAnonymizer({
      source: DEMO_FOOTAGE,
      width: 640,
      height: 480,
      fps: 0.5,
      inputArgs: ['-re', '-stream_loop', '-1'],
      options,
      detector: this.pool,
      onFrame: async (jpeg) => void (await camera.publish(jpeg)),
      onEvent: (e) => this.ctx.logger.debug({ camera: DEMO_CAMERA.id }, e),
    });
    this.live.start();
    this.ctx.logger.info({ camera: DEMO_CAMERA.id }, 'demo camera publishing anonymized frames');
  }

  async stop(): Promise<void> {
    await this.live?.close();
    await this.pool?.close();
    await this.store?.close();
  }
}
