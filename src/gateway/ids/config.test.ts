import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  buildSuricataConfig,
  EVE_TYPES,
  renderNfqueueRules,
  renderSuricataYaml,
  RULES_FILE,
  type SuricataConfigInput,
} from './config.ts';
import { parseSuricataVersion } from './suricata.ts';

const base: SuricataConfigInput = {
  mode: 'ids',
  homeNet: ['10.20.0.0/16', 'fd00:0:0:0:0:0:0:0/8'],
  sensorName: 'gw-santander-1',
  ruleDir: '/etc/msec/ids',
  extraRuleFiles: ['/opt/et/emerging-scada.rules'],
  suricataConfigDir: '/etc/suricata',
  logDir: '/var/log/suricata',
  nfqueue: 3,
};

function roundTrip(input: SuricataConfigInput): any {
  const text = renderSuricataYaml(buildSuricataConfig(input), 'test');
  expect(text.startsWith('%YAML 1.1\n---\n')).toBe(true);
  return parse(text, { version: '1.1' });
}

describe('generated suricata.yaml', () => {
  it('logs every EVE type the monitor expects, with community_id and rule metadata', () => {
    const c = roundTrip(base);
    const eve = c.outputs[0]['eve-log'];
    expect(eve['community-id']).toBe(true);
    const names = eve.types.map((t: unknown) => (typeof t === 'string' ? t : Object.keys(t as object)[0]));
    expect(names).toEqual([...EVE_TYPES]);
    expect(eve.types.find((t: any) => t.alert).alert.metadata).toBe(true);
    expect(c['sensor-name']).toBe('gw-santander-1');
    expect(c.stats.enabled).toBe(true);
  });

  it('enables the MQTT, Modbus, DNP3 and ENIP parsers Suricata 7 leaves off', () => {
    const p = roundTrip(base)['app-layer'].protocols;
    for (const proto of ['mqtt', 'modbus', 'dnp3', 'enip']) expect(p[proto].enabled, proto).toBe(true);
    expect(p.modbus['detection-ports'].dp).toBe('502');
  });

  it('puts the home networks in HOME_NET and loads our rules before the extra ones', () => {
    const c = roundTrip(base);
    expect(c.vars['address-groups'].HOME_NET).toBe('[10.20.0.0/16,fd00:0:0:0:0:0:0:0/8]');
    expect(c.vars['address-groups'].EXTERNAL_NET).toBe('!$HOME_NET');
    expect(c['rule-files']).toEqual([RULES_FILE, '/opt/et/emerging-scada.rules']);
    expect(c['default-rule-path']).toBe('/etc/msec/ids');
  });

  it('adds NFQUEUE and inline stream handling only in IPS mode', () => {
    expect(roundTrip(base).nfq).toBeUndefined();
    const ips = roundTrip({ ...base, mode: 'ips' });
    expect(ips.nfq['fail-open']).toBe(true);
    expect(ips.stream.inline).toBe(true);
    expect(renderNfqueueRules(3)).toContain('queue num 3 bypass');
  });

  it('captures on the named interface first', () => {
    const c = roundTrip({ ...base, interface: 'ppp0' });
    expect(c['af-packet'][0].interface).toBe('ppp0');
    expect(c['af-packet'].at(-1).interface).toBe('default');
  });
});

describe('parseSuricataVersion', () => {
  it('reads the version line Suricata prints for -V', () => {
    expect(parseSuricataVersion('This is Suricata version 7.0.10 RELEASE\n')).toMatchObject({
      major: 7,
      minor: 0,
      patch: 10,
      text: '7.0.10',
    });
    expect(parseSuricataVersion('This is Suricata version 6.0.1\n')).toMatchObject({ major: 6, minor: 0 });
    expect(parseSuricataVersion('suricata: command not found')).toBeUndefined();
  });
});

describe('parseSuricataVersion on any text', () => {
  it('returns either nothing or the numbers it found after "Suricata version"', () => {
    const strip = (t: string): string =>
      t.includes('Suricata version') ? strip(t.replaceAll('Suricata version', '')) : t;
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.nat(99), fc.nat(99), (noise, major, minor) => {
        expect(parseSuricataVersion(strip(noise))).toBeUndefined();
        const v = parseSuricataVersion(`${noise}\nThis is Suricata version ${major}.${minor} RELEASE`);
        expect(v).toMatchObject({ major, minor });
      }),
    );
  });
});
