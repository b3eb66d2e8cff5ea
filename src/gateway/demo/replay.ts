/**
 * The demo gateway: appends generated EVE episodes to an eve.json file on a timer, as Suricata
 * would, so the agent (which tails that file) ships live attacks during `msec up --demo`.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RuleFamily } from '../ids/rules/index.ts';
import { DEMO_CITIES, type DemoCity } from './cities.ts';
import { generateDemoEve, seededRng } from './eve.ts';

export interface EveReplayOptions {
  file: string;
  city: keyof typeof DEMO_CITIES | DemoCity;
  sensor: string;
  /** Time between episodes (default 5 s). */
  intervalMs?: number;
  /** Stop after this many episodes (default: until stopped). */
  maxEpisodes?: number;
  rng?: () => number;
  families?: readonly RuleFamily[];
  now?: () => number;
  /** Called when an append fails (full disk…); the replay keeps going. */
  onError?: (err: unknown) => void;
}

export interface EveReplay {
  /** Episodes and lines written so far. */
  stats(): { episodes: number; lines: number; errors: number };
  /** Resolves once no append is in flight. */
  stop(): Promise<void>;
}

export function startEveReplay(o: EveReplayOptions): EveReplay {
  const rng = o.rng ?? seededRng(Date.now() >>> 0);
  const now = o.now ?? Date.now;
  const stats = { episodes: 0, lines: 0, errors: 0 };
  let stopped = false;
  let inFlight: Promise<void> = mkdir(dirname(o.file), { recursive: true }).then(() => undefined);

  const tick = () => {
    if (stopped) return;
    if (o.maxEpisodes !== undefined && stats.episodes >= o.maxEpisodes) return;
    const family = o.families?.length ? o.families[stats.episodes % o.families.length] : undefined;
    const lines = generateDemoEve({ city: o.city, sensor: o.sensor, now: now(), rng, family });
    stats.episodes++;
    // One append per episode: lines arrive whole, as Suricata writes them.
    inFlight = inFlight
      .then(() => appendFile(o.file, lines.map((l) => `${l}\n`).join('')))
      .then(() => {
        stats.lines += lines.length;
      })
      .catch((err: unknown) => {
        stats.errors++;
        o.onError?.(err);
      });
  };
  const timer = setInterval(tick, o.intervalMs ?? 5000);
  timer.unref();
  tick();
  return {
    stats: () => ({ ...stats }),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}

/** One demo gateway per city, each appending to `<dir>/<city>/eve.json` as sensor `gw-<city>-1`. */
export function startDemoGateways(
  dir: string,
  opts: { intervalMs?: number; rng?: () => number; onError?: (err: unknown) => void } = {},
): { files: Record<string, string>; replays: EveReplay[]; stop(): Promise<void> } {
  const files: Record<string, string> = {};
  const replays = (Object.keys(DEMO_CITIES) as (keyof typeof DEMO_CITIES)[]).map((city) => {
    files[city] = join(dir, city, 'eve.json');
    return startEveReplay({
      file: files[city]!,
      city,
      sensor: `gw-${city}-1`,
      intervalMs: opts.intervalMs,
      rng: opts.rng,
      onError: opts.onError,
    });
  });
  return { files, replays, stop: async () => void (await Promise.all(replays.map((r) => r.stop()))) };
}
