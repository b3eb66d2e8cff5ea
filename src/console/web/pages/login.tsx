import { useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import { logIn, type ConsoleUser } from '../session.ts';
import { ThemeToggle } from '../theme.tsx';
import { SigninProviders, takeSigninError } from './signin-providers.tsx';

export function LoginPage({ onLoggedIn }: { onLoggedIn: (u: ConsoleUser) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(takeSigninError);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      onLoggedIn(await logIn(username, password));
      if (!location.hash) location.hash = '#/';
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">msec console</h1>
        <label for="username">User name</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          required
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <SigninProviders />
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <ThemeToggle />
      </form>
    </main>
  );
}
