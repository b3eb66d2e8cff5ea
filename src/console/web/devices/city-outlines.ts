/**
 * Offline outlines of the two demo cities for the console's map: no tile server, no fetch.
 *
 * Provenance: HAND-MADE. Each ring was drawn by the msec console's author from general knowledge
 * of the cities' coastlines and municipal extent (the Santander peninsula between the Cantabrian
 * Sea and its bay, with the Magdalena peninsula and Cabo Mayor; Fujisawa's strip running north
 * from the Sagami Bay shore, with Enoshima island). They are NOT derived from any survey or
 * dataset, are accurate only to roughly 1 km, and serve orientation only. Coordinates are GeoJSON
 * order ([longitude, latitude], WGS 84). Replace with real boundaries (e.g. from OpenStreetMap,
 * ODbL, with attribution) if precision matters.
 */
export interface CityOutline {
  org: string;
  name: string;
  /** The water the coast faces, for the label. */
  sea: string;
  /** [west, south, east, north] the map panel shows. */
  bbox: [number, number, number, number];
  /** Land polygons (outer rings). */
  land: Array<Array<[number, number]>>;
  /** Where the sea label sits. */
  seaLabelAt: [number, number];
}

export const CITY_OUTLINES: readonly CityOutline[] = [
  {
    org: 'santander',
    name: 'Santander',
    sea: 'Cantabrian Sea',
    bbox: [-3.9, 43.425, -3.75, 43.5],
    seaLabelAt: [-3.835, 43.495],
    land: [
      [
        [-3.885, 43.47],
        [-3.86, 43.48],
        [-3.83, 43.488],
        [-3.8, 43.492],
        [-3.785, 43.491],
        [-3.775, 43.482],
        [-3.77, 43.475],
        [-3.763, 43.47],
        [-3.77, 43.465],
        [-3.785, 43.463],
        [-3.8, 43.459],
        [-3.815, 43.452],
        [-3.83, 43.44],
        [-3.85, 43.432],
        [-3.875, 43.435],
        [-3.89, 43.45],
      ],
    ],
  },
  {
    org: 'fujisawa',
    name: 'Fujisawa',
    sea: 'Sagami Bay',
    bbox: [139.405, 35.29, 139.525, 35.45],
    seaLabelAt: [139.44, 35.298],
    land: [
      [
        [139.43, 35.44],
        [139.47, 35.445],
        [139.495, 35.42],
        [139.51, 35.39],
        [139.515, 35.35],
        [139.505, 35.32],
        [139.49, 35.312],
        [139.47, 35.313],
        [139.44, 35.318],
        [139.42, 35.325],
        [139.415, 35.36],
        [139.42, 35.4],
      ],
      // Enoshima
      [
        [139.474, 35.302],
        [139.48, 35.305],
        [139.486, 35.302],
        [139.483, 35.297],
        [139.476, 35.297],
      ],
    ],
  },
];
