import { useEffect, useState } from 'preact/hooks';
import { onSessionLost } from './api.ts';
import { logOut, resumeSession, type ConsoleUser } from './session.ts';
import { LoginPage } from './pages/login.tsx';
import { AlertsPage } from './pages/alerts.tsx';
import { EventsPage } from './pages/events.tsx';
import { InboxPage } from './pages/inbox.tsx';
import { closeLive } from './live.ts';
import { AuditPage } from './pages/audit.tsx';
import { LedgerPage } from './pages/ledger.tsx';
import { ForbiddenPage } from './pages/forbidden.tsx';
import { ThemeToggle } from './theme.tsx';
import { DevicesPage } from './pages/devices.tsx';
import { UsersPage } from './pages/users.tsx';
import { MarketPage } from './pages/market.tsx';
import { AnonymizerPage } from './pages/anonymizer.tsx';
import { PoliciesPage } from './pages/policies.tsx';

const PAGES: Record<string, () => preact.JSX.Element> = {
  alerts: AlertsPage,
  ledger: LedgerPage,
  admin: AuditPage,
  devices: DevicesPage,
  users: UsersPage,
  inbox: InboxPage,
  events: EventsPage,
  market: MarketPage,
  anonymizer: AnonymizerPage,
  policies: PoliciesPage,
};

function currentPage(): string {
  return location.hash.replace(/^#\/?/, '').split('/')[0] ?? '';
}

/** Session, hash routing (works without server-side fallbacks) and the role-filtered navigation. */
export function App() {
  const [user, setUser] = useState<ConsoleUser | null | 'loading'>('loading');
  const [page, setPage] = useState(currentPage());

  useEffect(() => {
    onSessionLost(() => (closeLive(), setUser(null)));
    void resumeSession().then((u) => setUser(u ?? null));
    const onHash = () => setPage(currentPage());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  if (user === 'loading')
    return (
      <p class="centre" role="status">
        Loading…
      </p>
    );
  if (user === null) return <LoginPage onLoggedIn={setUser} />;

  const allowed = user.pages.map((p) => p.id);
  const shown = page || allowed[0] || '';
  const Page = PAGES[shown];
  return (
    <div class="shell">
      <header class="bar">
        <strong class="brand">msec</strong>
        <nav aria-label="Pages">
          {user.pages.map((p) => (
            <a href={`#/${p.id}`} aria-current={p.id === shown ? 'page' : undefined}>
              {p.title}
            </a>
          ))}
        </nav>
        <span class="who" data-testid="who">
          {user.principal.name} · {user.principal.org} · {user.principal.roles.join(', ')}
        </span>
        <ThemeToggle />
        <button type="button" onClick={() => void logOut().then(() => (closeLive(), setUser(null)))}>
          Log out
        </button>
      </header>
      <main id="main">
        {Page && allowed.includes(shown) ? (
          <Page key={shown === 'inbox' ? location.hash : shown} />
        ) : (
          <ForbiddenPage page={shown} known={Boolean(Page)} />
        )}
      </main>
    </div>
  );
}
