import { api, setCsrf } from './api.ts';

export interface ConsoleUser {
  csrf: string;
  principal: { id: string; name: string; org: string; roles: string[] };
  pages: Array<{ id: string; title: string }>;
}

export async function resumeSession(): Promise<ConsoleUser | undefined> {
  try {
    const u = await api<ConsoleUser>('GET', '/console/session');
    setCsrf(u.csrf);
    return u;
  } catch {
    return undefined;
  }
}

export async function logIn(username: string, password: string): Promise<ConsoleUser> {
  const u = await api<ConsoleUser>('POST', '/console/session', { username, password });
  setCsrf(u.csrf);
  return u;
}

export async function logOut(): Promise<void> {
  await api<void>('DELETE', '/console/session').catch(() => undefined);
  setCsrf('');
}
