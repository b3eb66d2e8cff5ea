import { CITY_OUTLINES, type CityOutline } from './city-outlines.ts';
import { displayName, pointOf, type Attestation, type Provider } from './types.ts';

const WIDTH = 440;
export const STATUS_LABEL: Record<Attestation, string> = {
  attested: 'attested',
  unattested: 'unattested',
  quarantined: 'quarantined',
  unknown: 'status unknown',
};

interface Panel {
  outline: CityOutline;
  providers: Array<{ p: Provider; at: [number, number] }>;
}

/** Equirectangular projection, x scaled by cos(latitude) so shapes keep their proportions. */
function projector(bbox: CityOutline['bbox']) {
  const [w, s, e, n] = bbox;
  const k = Math.cos((((s + n) / 2) * Math.PI) / 180);
  const scale = WIDTH / ((e - w) * k);
  return {
    height: Math.round((n - s) * scale),
    xy: ([lon, lat]: [number, number]): [number, number] => [(lon - w) * k * scale, (n - lat) * scale],
  };
}

/**
 * Markers closer than a marker's width are spread on a small circle around their centre, each
 * with a leader line to its true position, so every device stays visible and clickable.
 */
export function declutter(points: Array<[number, number]>, minGap = 16): Array<[number, number]> {
  const out = points.map((p) => [...p] as [number, number]);
  const seen = new Set<number>();
  for (let i = 0; i < points.length; i++) {
    if (seen.has(i)) continue;
    const group = [i];
    for (let j = i + 1; j < points.length; j++) {
      if (seen.has(j)) continue;
      if (group.some((g) => Math.hypot(points[g]![0] - points[j]![0], points[g]![1] - points[j]![1]) < minGap))
        group.push(j);
    }
    if (group.length < 2) continue;
    const cx = group.reduce((n, g) => n + points[g]![0], 0) / group.length;
    const cy = group.reduce((n, g) => n + points[g]![1], 0) / group.length;
    const r = Math.max(minGap, (minGap * group.length) / (2 * Math.PI)) + 4;
    group.forEach((g, k) => {
      seen.add(g);
      const a = -Math.PI / 2 + (2 * Math.PI * k) / group.length;
      out[g] = [cx + r * Math.cos(a), cy + r * Math.sin(a)];
    });
  }
  return out;
}

/** Providers grouped per city panel; an org without a drawn outline gets a panel around its points. */
function panels(providers: Provider[]): Panel[] {
  const byOrg = new Map<string, Panel['providers']>();
  for (const p of providers) {
    const at = pointOf(p);
    if (at) byOrg.set(p.org, [...(byOrg.get(p.org) ?? []), { p, at }]);
  }
  const out: Panel[] = [];
  for (const outline of CITY_OUTLINES) out.push({ outline, providers: byOrg.get(outline.org) ?? [] });
  for (const [org, list] of byOrg) {
    if (CITY_OUTLINES.some((c) => c.org === org)) continue;
    const lons = list.map((x) => x.at[0]);
    const lats = list.map((x) => x.at[1]);
    const pad = 0.01;
    const bbox: CityOutline['bbox'] = [
      Math.min(...lons) - pad,
      Math.min(...lats) - pad,
      Math.max(...lons) + pad,
      Math.max(...lats) + pad,
    ];
    out.push({ outline: { org, name: org, sea: '', bbox, land: [], seaLabelAt: [bbox[0], bbox[1]] }, providers: list });
  }
  return out;
}

function Marker({
  status,
  x,
  y,
  label,
  selected,
  onSelect,
}: {
  status: Attestation;
  x: number;
  y: number;
  label: string;
  selected: boolean;
  onSelect: () => void;
}) {
  // Shape as well as colour tells the status apart (colour-blind readers, print).
  const shape =
    status === 'quarantined' ? (
      <rect x={x - 7} y={y - 7} width={14} height={14} class="mk-shape" />
    ) : status === 'unattested' ? (
      <circle cx={x} cy={y} r={7} class="mk-shape mk-ring" />
    ) : (
      <circle cx={x} cy={y} r={7} class="mk-shape" />
    );
  return (
    <g
      class={`marker mk-${status}${selected ? ' mk-selected' : ''}`}
      role="button"
      tabindex={0}
      aria-label={label}
      aria-pressed={selected}
      data-testid="map-marker"
      onClick={onSelect}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onSelect();
        }
      }}
    >
      <title>{label}</title>
      {selected && <circle cx={x} cy={y} r={12} class="mk-halo" />}
      {shape}
    </g>
  );
}

/** One SVG panel per city: the bundled outline, and each provider as a marker coloured by attestation. */
export function CityMap({
  providers,
  statusOf,
  selected,
  onSelect,
}: {
  providers: Provider[];
  statusOf: (p: Provider) => Attestation;
  selected: string | undefined;
  onSelect: (provider: string) => void;
}) {
  const unplaced = providers.filter((p) => !pointOf(p));
  return (
    <div class="maps">
      {panels(providers).map(({ outline, providers: placed }) => {
        const { height, xy } = projector(outline.bbox);
        const ring = (r: Array<[number, number]>) => r.map((c) => xy(c).join(',')).join(' ');
        const [sx, sy] = xy(outline.seaLabelAt);
        return (
          <figure class="card city" data-testid={`map-${outline.org}`} data-markers={placed.length}>
            <figcaption>
              <strong>{outline.name}</strong> · {placed.length} provider{placed.length === 1 ? '' : 's'} on the map
            </figcaption>
            <svg
              viewBox={`-10 -10 ${WIDTH + 20} ${height + 20}`}
              role="group"
              aria-label={`Map of ${outline.name}: ${placed.length} providers`}
            >
              <rect x={-10} y={-10} width={WIDTH + 20} height={height + 20} class="sea" />
              {outline.land.map((r) => (
                <polygon points={ring(r)} class="land" />
              ))}
              {outline.sea && (
                <text x={sx} y={sy} class="sea-label">
                  {outline.sea}
                </text>
              )}
              {(() => {
                const trueXy = placed.map(({ at }) => xy(at));
                const shown = declutter(trueXy);
                return placed.map(({ p }, i) => {
                  const [x, y] = shown[i]!;
                  const [tx, ty] = trueXy[i]!;
                  const status = statusOf(p);
                  return (
                    <>
                      {(x !== tx || y !== ty) && <line x1={tx} y1={ty} x2={x} y2={y} class="leader" />}
                      {(x !== tx || y !== ty) && <circle cx={tx} cy={ty} r={2} class="leader-dot" />}
                      <Marker
                        status={status}
                        x={x}
                        y={y}
                        label={`${displayName(p)} (${p.provider}), ${STATUS_LABEL[status]}`}
                        selected={selected === p.provider}
                        onSelect={() => onSelect(p.provider)}
                      />
                    </>
                  );
                });
              })()}
            </svg>
            {placed.length === 0 && <p class="muted">No provider of {outline.name} has a location you may see.</p>}
          </figure>
        );
      })}
      {unplaced.length > 0 && (
        <p class="muted" data-testid="unplaced">
          {unplaced.length} provider{unplaced.length === 1 ? ' has' : 's have'} no location (admin/location) and{' '}
          {unplaced.length === 1 ? 'is' : 'are'} only in the list.
        </p>
      )}
      <ul class="legend" aria-label="Marker legend">
        {(['attested', 'unattested', 'quarantined', 'unknown'] as const).map((s) => (
          <li>
            <svg width="16" height="16" viewBox="-8 -8 16 16" aria-hidden="true" class={`marker mk-${s}`}>
              {s === 'quarantined' ? (
                <rect x={-6} y={-6} width={12} height={12} class="mk-shape" />
              ) : (
                <circle r={6} class={`mk-shape${s === 'unattested' ? ' mk-ring' : ''}`} />
              )}
            </svg>
            {STATUS_LABEL[s]}
          </li>
        ))}
      </ul>
    </div>
  );
}
