import { useEffect, useState } from 'preact/hooks';

/** The theme on <html data-theme>, as state: canvas charts take their colours from it and redraw when it changes. */
export function useThemeName(): string {
  const [theme, setTheme] = useState(document.documentElement.dataset.theme ?? '');
  useEffect(() => {
    const watch = new MutationObserver(() => setTheme(document.documentElement.dataset.theme ?? ''));
    watch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => watch.disconnect();
  }, []);
  return theme;
}
