import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { usePolled } from '../poll.ts';
import { CityMap } from '../devices/city-map.tsx';
import { FederationPanel } from '../devices/federation.tsx';
import { ProviderList } from '../devices/provider-list.tsx';
import { ResourceBrowser } from '../devices/resource-browser.tsx';
import type { Attestation, Device, Provider, ResourceValue } from '../devices/types.ts';

/**
 * Devices and data (sensiNact Studio's view): each city's providers on a map and in a list with
 * attestation and signature status, provider → service → resource browsing, history charts,
 * and the federation agreements with the other city.
 */
export function DevicesPage() {
  const providers = usePolled(() => api<{ items: Provider[] }>('GET', '/providers'), 10_000);
  // Devices the caller may read (operators of the org, admins); others see the readings' attestation only.
  const devices = usePolled(
    () => api<{ items: Device[] }>('GET', '/devices?limit=500').catch(() => ({ items: [] as Device[] })),
    10_000,
  );
  const [selected, setSelected] = useState<string | undefined>();
  const byId = new Map((devices.data?.items ?? []).map((d) => [d.id, d]));
  // A demo or simulated device publishes under its own id as provider.
  // Without the registry, the attestation the hub stamped on the provider's latest readings.
  const [fromReadings, setFromReadings] = useState(new Map<string, Attestation>());
  const noteReadings = (values: Map<string, ResourceValue[]>) =>
    setFromReadings((prev) => {
      const next = new Map(prev);
      for (const [provider, list] of values) {
        const latest = [...list].sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0))[0]?.attestation;
        if (latest === 'attested' || latest === 'unattested') next.set(provider, latest);
      }
      return next;
    });
  const statusOf = (p: Provider): Attestation =>
    byId.get(p.provider)?.attestation.status ?? fromReadings.get(p.provider) ?? 'unknown';
  const list = [...(providers.data?.items ?? [])].sort((a, b) =>
    a.org === b.org ? a.provider.localeCompare(b.provider) : a.org.localeCompare(b.org),
  );

  return (
    <>
      <h1>Devices and data</h1>
      {providers.error && (
        <p role="alert" class="error">
          {providers.error}
        </p>
      )}
      {!providers.data && !providers.error && <p role="status">Loading providers…</p>}
      {providers.data && (
        <div class="devices">
          <CityMap providers={list} statusOf={statusOf} selected={selected} onSelect={setSelected} />
          <ProviderList
            providers={list}
            statusOf={statusOf}
            selected={selected}
            onSelect={setSelected}
            onValues={noteReadings}
          />
        </div>
      )}
      {selected && <ResourceBrowser provider={selected} />}
      <FederationPanel />
    </>
  );
}
