import { MsecError } from '../core/errors.ts';
import {
  CredentialSource,
  enrollDevice,
  HubClient,
  signReading,
  type DeviceDescription,
  type DeviceKeyStore,
} from '../device/index.ts';

export interface HubCameraOptions {
  /** The hub's base URL (the API is under /api/v1). */
  hub: string;
  deviceId: string;
  keyStore: DeviceKeyStore;
  /** Enrolls the camera first with this one-time token; without one it must be enrolled already. */
  enrollToken?: string;
  name?: string;
  /** [longitude, latitude], drawn on the console's map. */
  at?: [number, number];
}

/** Where a camera's frames appear as a twin resource: provider (device id) / service / resource. */
export const CAMERA_SERVICE = 'camera';
export const CAMERA_RESOURCE = 'frame';

export function cameraDescription(deviceId: string, name?: string, at?: [number, number]): DeviceDescription {
  return {
    name: name ?? `Anonymized camera ${deviceId}`,
    type: 'multimedia input',
    description: 'camera whose frames are anonymized on the device (msec anonymizer) before they leave it',
    transducers: [{ name: 'anonymized frame (JPEG, by sha256)', id: CAMERA_RESOURCE, units: 'image/jpeg' }],
    ...(at ? { location: { type: 'Point' as const, coordinates: at } } : {}),
  };
}

/**
 * A camera provider's device on the hub: it enrolls like any msec device, uploads each anonymized
 * JPEG to the anonymizer's frame store and then publishes a signed reading
 * `{resource: ID/camera/frame, value: "sha256:<hex>", unit: "image/jpeg"}`, so the hub's twin,
 * history and ledger hold a device-signed fingerprint of every frame it shared. It is handed
 * only frames that went through the renderer: there is no path for a raw frame to reach it.
 */
export class HubCamera {
  private counter = 0;
  published = 0;

  private constructor(
    private readonly client: HubClient,
    private readonly o: HubCameraOptions,
    private readonly credential: CredentialSource,
  ) {}

  static async connect(o: HubCameraOptions): Promise<HubCamera> {
    if (o.enrollToken)
      await enrollDevice({
        hub: o.hub,
        token: o.enrollToken,
        deviceId: o.deviceId,
        keyStore: o.keyStore,
        metadata: cameraDescription(o.deviceId, o.name, o.at),
      });
    return new HubCamera(new HubClient(o.hub), o, new CredentialSource(o.keyStore, 'signing', o.deviceId));
  }

  /** Uploads one anonymized JPEG and publishes its signed fingerprint; resolves to the sha256. */
  async publish(jpeg: Buffer, now = Date.now()): Promise<string> {
    const token = await this.credential.get();
    const res = await fetch(`${this.client.base}/api/v1/anonymizer/frames`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg', authorization: `Bearer ${token}` },
      body: jpeg,
    }).catch((err: Error) => {
      throw new MsecError('HUB_UNREACHABLE', `cannot reach the hub at ${this.client.base}: ${err.message}`, {
        status: 503,
      });
    });
    const body = (await res.json().catch(() => undefined)) as
      { sha256?: string; error?: { code: string; message: string } } | undefined;
    if (res.status !== 201 || !body?.sha256)
      throw new MsecError(
        'ANONYMIZER_PUBLISH_FAILED',
        `the hub refused the frame (${res.status}): ${body?.error?.message ?? 'no answer'}`,
      );
    this.counter = Math.max(this.counter + 1, now);
    const reading = await signReading(this.o.keyStore, 'signing', this.o.deviceId, {
      deviceId: this.o.deviceId,
      resource: `${this.o.deviceId}/${CAMERA_SERVICE}/${CAMERA_RESOURCE}`,
      value: `sha256:${body.sha256}`,
      unit: 'image/jpeg',
      counter: this.counter,
      timestamp: now,
    });
    await this.client.cose('/readings', reading, token);
    this.published++;
    return body.sha256;
  }
}
