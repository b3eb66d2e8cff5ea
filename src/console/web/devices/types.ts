/** The hub's REST shapes the devices page reads (see src/hub/twins/model.ts). */
export type Attestation = 'attested' | 'unattested' | 'quarantined' | 'unknown';

export interface GeoPoint {
  type: 'Point';
  coordinates: [number, number];
}

export interface Provider {
  provider: string;
  org: string;
  origin: string | null;
  admin: {
    friendlyName: string | null;
    location: { type: string; coordinates: unknown[] } | null;
    icon: string | null;
  };
  services: string[];
  updatedAt: number;
}

export interface ProviderDetail extends Omit<Provider, 'services'> {
  services: Array<{ service: string; resources: string[] }>;
}

export interface ResourceDescription {
  provider: string;
  service: string;
  resource: string;
  kind: 'sensor' | 'property' | 'action' | 'state-variable';
  metadata: Record<string, unknown>;
  signature?: 'verified' | 'unsigned' | null;
  attestation?: string | null;
}

export interface ResourceValue extends ResourceDescription {
  value: number | boolean | string | null;
  timestamp: number | null;
  receivedAt: number | null;
  signature: 'verified' | 'unsigned' | null;
}

export interface Device {
  id: string;
  org: string;
  status: string;
  attestation: { status: 'attested' | 'unattested' | 'quarantined'; reason: string | null };
}

export interface Bucket {
  start: number;
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
}

export const resourcePath = (r: { provider: string; service: string; resource: string }): string =>
  `/providers/${encodeURIComponent(r.provider)}/services/${encodeURIComponent(r.service)}/resources/${encodeURIComponent(r.resource)}`;

/** A provider's position when its admin/location is a GeoJSON point with finite lon/lat. */
export function pointOf(p: Provider): [number, number] | undefined {
  const loc = p.admin.location;
  if (!loc || loc.type !== 'Point') return undefined;
  const [lon, lat] = loc.coordinates;
  return typeof lon === 'number' && typeof lat === 'number' && Number.isFinite(lon) && Number.isFinite(lat)
    ? [lon, lat]
    : undefined;
}

export const displayName = (p: Provider): string => p.admin.friendlyName ?? p.provider;

export function formatValue(v: ResourceValue['value'], unit: unknown): string {
  if (v === null) return '—';
  const text = typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
  return typeof unit === 'string' && unit ? `${text} ${unit}` : text;
}
