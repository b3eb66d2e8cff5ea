import { ApiFailure, csrfHeaders } from '../api.ts';

/** Fill methods and classes the anonymizer takes (src/anonymizer/fill.ts, types.ts). */
export const FILLS = ['inpaint', 'background', 'blur', 'pixelate', 'solid'] as const;
export const CLASSES = ['person', 'bicycle', 'motorcycle', 'car', 'truck', 'bus'] as const;

export interface Choices {
  fill: (typeof FILLS)[number];
  classes: string[];
}

export interface Progress {
  frames: number;
  total?: number;
  fps: number;
  etaSeconds?: number;
}

export interface JobView {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: Progress;
  error?: { code: string; message: string };
  report?: { frames: number; width: number; height: number; seconds: number; totals: Record<string, number> };
}

const query = (c: Choices) => `?fill=${encodeURIComponent(c.fill)}&classes=${encodeURIComponent(c.classes.join(','))}`;

async function failure(res: Response): Promise<ApiFailure> {
  const e = ((await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined)
    ?.error;
  return new ApiFailure({
    status: res.status,
    code: e?.code ?? `HTTP_${res.status}`,
    message: e?.message ?? res.statusText,
  });
}

/** Sends the file as the raw body (its own content type), with the session cookie and CSRF header. */
async function send(path: string, file: Blob, fallbackType: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': file.type || fallbackType, ...csrfHeaders() },
      body: file,
    });
  } catch {
    throw new ApiFailure({ status: 0, code: 'NETWORK', message: 'the platform cannot be reached' });
  }
  if (!res.ok) throw await failure(res);
  return res;
}

/** POST /anonymizer/image: the anonymized image (same format) and what was removed, per class. */
export async function anonymizeImage(
  file: Blob,
  c: Choices,
): Promise<{ image: Blob; removed: Record<string, number> }> {
  const res = await send(`/anonymizer/image${query(c)}`, file, 'application/octet-stream');
  const removed = JSON.parse(res.headers.get('x-anonymizer-removed') ?? '{}') as Record<string, number>;
  return { image: await res.blob(), removed };
}

/** POST /anonymizer/jobs: queues a video; its progress is then read from GET /anonymizer/jobs/:id. */
export async function submitVideo(file: Blob, c: Choices): Promise<{ id: string; status: string }> {
  const res = await send(`/anonymizer/jobs${query(c)}`, file, 'application/octet-stream');
  return (await res.json()) as { id: string; status: string };
}

/** A share 0..1 of the frames done, when the total is known. */
export function share(p: Progress): number | undefined {
  return p.total && p.total > 0 ? Math.min(1, p.frames / p.total) : undefined;
}
