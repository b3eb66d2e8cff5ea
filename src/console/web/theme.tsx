import { useEffect, useState } from 'preact/hooks';

type Theme = 'dark' | 'light';
const KEY = 'msec-console-theme';

function initial(): Theme {
  const saved = localStorage.getItem(KEY); // a display preference only: nothing secret is stored
  if (saved === 'dark' || saved === 'light') return saved;
  return matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(initial);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(KEY, theme);
  }, [theme]);
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button type="button" aria-label={`Switch to ${next} theme`} onClick={() => setTheme(next)}>
      {theme === 'dark' ? 'Light' : 'Dark'} theme
    </button>
  );
}
