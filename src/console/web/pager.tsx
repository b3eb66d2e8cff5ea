import { useEffect, useState } from 'preact/hooks';

/** Client-side paging of a long list: the current slice and Previous/Next controls. */
export function usePager<T>(
  items: readonly T[],
  pageSize: number,
  resetKey = '',
): { shown: T[]; controls: preact.JSX.Element | null } {
  const [page, setPage] = useState(0);
  useEffect(() => setPage(0), [resetKey]);
  const pages = Math.max(1, Math.ceil(items.length / pageSize));
  const current = Math.min(page, pages - 1);
  const shown = items.slice(current * pageSize, (current + 1) * pageSize);
  if (items.length <= pageSize) return { shown, controls: null };
  const first = current * pageSize + 1;
  return {
    shown,
    controls: (
      <nav class="pager" aria-label="Pages of the list">
        <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
          Previous
        </button>
        <span role="status" data-testid="pager-status">
          {first}–{first + shown.length - 1} of {items.length}
        </span>
        <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
          Next
        </button>
      </nav>
    ),
  };
}
