/**
 * Where the demo's gateway events come from: each city's device network (private addresses behind
 * the gateway) and the attackers, drawn from the documentation ranges (RFC 5737) so the demo never
 * names a real host.
 */
export interface DemoDevice {
  ip: string;
  kind: string;
}

export interface DemoCity {
  name: string;
  homeNet: string;
  uplink: string;
  devices: readonly DemoDevice[];
}

export const DEMO_CITIES: Readonly<Record<'santander' | 'fujisawa', DemoCity>> = {
  santander: {
    name: 'santander',
    homeNet: '10.39.0.0/16',
    uplink: 'ppp0',
    devices: [
      { ip: '10.39.1.21', kind: 'parking-sensor-gateway' },
      { ip: '10.39.1.35', kind: 'air-quality-station' },
      { ip: '10.39.2.10', kind: 'street-light-controller' },
      { ip: '10.39.3.4', kind: 'traffic-camera' },
      { ip: '10.39.4.2', kind: 'water-plc' },
    ],
  },
  fujisawa: {
    name: 'fujisawa',
    homeNet: '10.81.0.0/16',
    uplink: 'ppp0',
    devices: [
      { ip: '10.81.0.12', kind: 'garbage-truck-sensor-hub' },
      { ip: '10.81.0.40', kind: 'environment-sensor' },
      { ip: '10.81.1.7', kind: 'crowd-camera' },
      { ip: '10.81.2.3', kind: 'pump-station-rtu' },
    ],
  },
};

export const ATTACKER_POOL = ['203.0.113.', '198.51.100.', '192.0.2.'] as const;
