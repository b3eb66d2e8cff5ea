import { readFileSync } from 'node:fs';
import { coverage, type Box, type Mask } from '../src/anonymizer/index.ts';

export interface LabelledObject {
  label: string;
  box: [number, number, number, number];
  note?: string;
}

export interface LabelledItem {
  id: string;
  file: string;
  frame?: number;
  objects: LabelledObject[];
}

export function readLabels(): LabelledItem[] {
  const raw = JSON.parse(readFileSync(new URL('./labels/anonymizer.json', import.meta.url), 'utf8')) as {
    items: LabelledItem[];
  };
  return raw.items;
}

export const COVERED = 0.9;

export function toBox(b: readonly number[]): Box {
  return { x: b[0]!, y: b[1]!, w: b[2]!, h: b[3]! };
}

/** COCO's size buckets by box area. */
export function sizeOf(b: Box): 'small' | 'medium' | 'large' {
  const a = b.w * b.h;
  return a < 32 * 32 ? 'small' : a < 96 * 96 ? 'medium' : 'large';
}

interface Tally {
  hit: number;
  total: number;
}

/** Privacy recall (a labelled object counts as hidden when ≥ 90 % of its box is masked) and collateral change. */
export class Score {
  readonly overall: Tally = { hit: 0, total: 0 };
  readonly byClass = new Map<string, Tally>();
  readonly bySize = new Map<string, Tally>();
  private outsideChanged = 0;
  private outsideTotal = 0;
  private readonly emptyScenes: number[] = [];
  readonly misses: string[] = [];

  add(item: LabelledItem, mask: Mask): void {
    for (const o of item.objects) {
      const box = toBox(o.box);
      const hit = coverage(mask, box) >= COVERED ? 1 : 0;
      for (const [map, key] of [
        [this.byClass, o.label],
        [this.bySize, sizeOf(box)],
      ] as const) {
        const t = map.get(key) ?? { hit: 0, total: 0 };
        t.hit += hit;
        t.total++;
        map.set(key, t);
      }
      this.overall.hit += hit;
      this.overall.total++;
      if (!hit)
        this.misses.push(`${item.id} ${o.label} [${o.box.join(',')}] ${(coverage(mask, box) * 100).toFixed(0)}%`);
    }
    // Pixels changed outside every labelled box: what the anonymizer took that was not private.
    const inside = new Uint8Array(mask.data.length);
    for (const o of item.objects) {
      const b = toBox(o.box);
      for (let y = Math.max(0, b.y); y < Math.min(mask.height, b.y + b.h); y++)
        inside.fill(1, y * mask.width + Math.max(0, b.x), y * mask.width + Math.min(mask.width, b.x + b.w));
    }
    let changed = 0,
      total = 0;
    for (let i = 0; i < inside.length; i++) {
      if (inside[i]) continue;
      total++;
      if (mask.data[i]) changed++;
    }
    this.outsideChanged += changed;
    this.outsideTotal += total;
    if (item.objects.length === 0) this.emptyScenes.push(total ? changed / total : 0);
  }

  get recall(): number {
    return this.overall.total ? this.overall.hit / this.overall.total : 1;
  }

  get outsideShare(): number {
    return this.outsideTotal ? this.outsideChanged / this.outsideTotal : 0;
  }

  /** The largest share of pixels changed in a picture with nothing to remove. */
  get emptySceneChange(): number {
    return Math.max(0, ...this.emptyScenes);
  }

  lines(): string[] {
    const fmt = (t: Tally) => `${(t.total ? t.hit / t.total : 1).toFixed(3)} (${t.hit}/${t.total})`;
    return [
      `privacy recall ${fmt(this.overall)}`,
      `  per class: ${[...this.byClass].map(([k, t]) => `${k} ${fmt(t)}`).join(', ')}`,
      `  per size:  ${[...this.bySize].map(([k, t]) => `${k} ${fmt(t)}`).join(', ')}`,
      `pixels changed outside labelled objects: ${(this.outsideShare * 100).toFixed(1)} %; in empty scenes at most ${(this.emptySceneChange * 100).toFixed(2)} %`,
    ];
  }
}
