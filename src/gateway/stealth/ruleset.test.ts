import { describe, expect, it } from 'vitest';
import { buildRuleset } from './ruleset.ts';

const base = {
  hubs: [
    { address: '192.0.2.10', port: 443 },
    { address: '2001:db8::10', port: 443 },
  ],
  mgmtPort: 2222,
  knockPort: 62201,
  dns: ['192.0.2.53'],
  allowOut: [],
  generatedBy: 'test',
};

describe('buildRuleset', () => {
  it('drops by default, never rejects, and opens the management port only through the knock sets', () => {
    const text = buildRuleset(base);
    expect(text).toMatch(/chain input \{\n\s+type filter hook input priority filter; policy drop;/);
    expect(text).toMatch(/chain output \{\n\s+type filter hook output priority filter; policy drop;/);
    expect(text).not.toMatch(/\breject\b/);
    expect(text).toContain('tcp dport 2222 ip saddr . tcp dport @knocked4 ct state new accept');
    expect(text).toContain('elements = { 192.0.2.10 . 443 }');
    expect(text).toContain('elements = { 2001:db8::10 . 443 }');
    // The ICMP-unreachable drops come before the related accept, which would otherwise let them out.
    const out = text.slice(text.indexOf('chain output'));
    expect(out.indexOf('icmp type destination-unreachable drop')).toBeLessThan(
      out.indexOf('ct state established,related accept'),
    );
  });

  it('with an uplink, hardens only that interface', () => {
    const text = buildRuleset({ ...base, uplink: 'ppp0' });
    expect(text).toContain('iifname != "ppp0" accept');
    expect(text).toContain('oifname != "ppp0" accept');
  });
});
