import type { Analysis } from './analyze.ts';

export const REPORT_FORMAT_VERSION = 1;

/** The analysis as plain JSON (sets become sorted arrays); stable for diffing and CI tooling. */
export function toJsonReport(a: Analysis): Record<string, unknown> {
  return {
    format: 'msec-threat-report',
    version: REPORT_FORMAT_VERSION,
    model: { id: a.model.model, title: a.model.title ?? null },
    summary: a.summary,
    elements: a.elements.map((e) => ({
      id: e.id,
      name: e.name,
      kind: e.kind,
      tags: [...e.tags].sort(),
      data: [...e.data].sort(),
      crossesBoundary: e.crossesBoundary,
      ...(e.boundary ? { boundary: e.boundary } : {}),
    })),
    threats: a.threats,
    stride: a.stride,
    misuseCases: a.misuseCases,
    requirements: a.requirements,
  };
}
