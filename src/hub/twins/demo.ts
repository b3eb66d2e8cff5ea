import { IAM } from '../../iam/index.ts';
import type { ModuleContext } from '../../core/index.ts';
import { DEMO_DEVICES } from '../devices/demo.ts';
import type { TwinStore } from './twin-store.ts';

/**
 * Seeds twin metadata (friendly names, GeoJSON locations) for the demo devices of the cities that
 * exist on this platform: each demo device is the provider its readings land under, so every
 * device the demo runs has a name and a place on the console's map.
 */
export async function seedDemoTwins(ctx: ModuleContext, twins: TwinStore): Promise<number> {
  let seeded = 0;
  for (const d of DEMO_DEVICES) {
    if (!(await ctx.services.get(IAM).directory.getOrg(d.org))) continue;
    const existing = await twins.getProvider(d.id);
    if (existing && existing.org !== d.org) continue;
    await twins.upsertProvider(d.id, d.org, { friendlyName: d.name, location: { type: 'Point', coordinates: d.at } });
    await twins.defineResource({ provider: d.id, service: 'control', resource: 'reboot' }, d.org, 'action', {
      description: 'reboots the device',
    });
    seeded++;
  }
  return seeded;
}
