import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';

interface Provider {
  id: string;
  name: string;
  start: string;
}

/** Why the provider's sign-in came back without a session (the callback's `signin_error`). */
const FAILURES: Record<string, string> = {
  state: 'The sign-in answer did not belong to this browser (state mismatch). Please sign in again.',
  nonce: 'The identity token was not issued for this sign-in (nonce mismatch). Please sign in again.',
  denied: 'Sign-in was cancelled or consent was denied at the provider.',
  expired: 'The identity token had expired. Please sign in again.',
  no_role: 'Your account at the provider has no role in msec. Ask an administrator for access.',
  unavailable: 'The sign-in provider could not be reached. Try again later.',
  failed: 'Sign-in at the provider failed. Please try again.',
};

/** The callback's failure, read once from the address and removed from it. */
export function takeSigninError(): string {
  const params = new URLSearchParams(location.search);
  const reason = params.get('signin_error');
  if (reason === null) return '';
  params.delete('signin_error');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  return FAILURES[reason] ?? FAILURES.failed!;
}

/** "Sign in with <provider>" links for the external issuers the platform offers (none: nothing shown). */
export function SigninProviders() {
  const [providers, setProviders] = useState<Provider[]>([]);
  useEffect(() => {
    api<{ providers: Provider[] }>('GET', '/console/providers')
      .then((r) => setProviders(r.providers))
      .catch(() => setProviders([]));
  }, []);
  if (providers.length === 0) return null;
  return (
    <div class="signin-providers" aria-label="Other ways to sign in" role="group">
      <p class="signin-or">or</p>
      {providers.map((p) => (
        // A plain navigation: the server redirects to the provider; nothing secret touches the page.
        <a key={p.id} class="button signin-provider" href={p.start} data-testid={`signin-${p.id}`}>
          Sign in with {p.name}
        </a>
      ))}
    </div>
  );
}
