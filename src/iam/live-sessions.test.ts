import { describe, it, expect } from 'vitest';
import { MsecError } from '../core/index.ts';
import { LiveSessions } from './live-sessions.ts';
import type { Subject } from './subject.ts';

const alice: Subject = {
  id: 'p1',
  name: 'alice',
  kind: 'user',
  org: 'santander',
  roles: ['consumer', 'analyst'],
  via: 'token',
};

function session(recheck: () => Subject | Promise<Subject>) {
  const ended: string[] = [];
  return { ended, s: { subject: alice, recheck, end: (r: string) => void ended.push(r) } };
}

describe('LiveSessions', () => {
  it('ends exactly the sessions whose credential fails or whose rights changed, once, with the reason', async () => {
    const sessions = new LiveSessions(60_000);
    const valid = session(() => ({ ...alice, roles: ['analyst', 'consumer'] }));
    const revoked = session(() => Promise.reject(new MsecError('TOKEN_REVOKED', 'revoked')));
    const demoted = session(() => ({ ...alice, roles: ['consumer'] }));
    const moved = session(() => ({ ...alice, org: 'fujisawa' }));
    for (const x of [valid, revoked, demoted, moved]) sessions.track(x.s);
    await sessions.sweep();
    await sessions.sweep();
    expect(valid.ended).toEqual([]);
    expect(revoked.ended).toEqual(['TOKEN_REVOKED']);
    expect(demoted.ended).toEqual(['rights changed']);
    expect(moved.ended).toEqual(['rights changed']);
    expect(sessions.size).toBe(1);
    sessions.stop();
  });

  it('an untracked session is never ended; overlapping sweeps run one more pass', async () => {
    const sessions = new LiveSessions(60_000);
    let calls = 0;
    let fail = false;
    const x = session(() => {
      calls++;
      if (fail) throw new MsecError('TOKEN_EXPIRED', 'expired');
      return alice;
    });
    const untrack = sessions.track(x.s);
    const first = sessions.sweep();
    fail = true;
    const second = sessions.sweep();
    await Promise.all([first, second]);
    expect(calls).toBe(2);
    expect(x.ended).toEqual(['TOKEN_EXPIRED']);
    const y = session(() => Promise.reject(new Error('gone')));
    sessions.track(y.s)();
    untrack();
    await sessions.sweep();
    expect(y.ended).toEqual([]);
    expect(sessions.size).toBe(0);
  });
});
