/**
 * The crafted captures, one attack and one benign at least per rule family, merged into one pcap
 * so one Suricata run covers them all. Capture i uses its own addresses and its own time slot
 * (ten minutes apart, beyond every threshold window), so its alerts are told apart by address.
 */
import type { RuleFamily } from '../../src/gateway/ids/rules/types.ts';
import { HOST_CAPTURES } from './ids-captures-hosts.ts';
import { ICS_CAPTURES } from './ids-captures-ics.ts';
import { Capture } from './pcap.ts';

export interface CaptureNet {
  /** Outside attacker (TEST-NET-3). */
  attacker: string;
  /** Devices in the home network. */
  device: string;
  device2: string;
  /** A home-network client (local master, app). */
  insider: string;
  /** A legitimate outside party (TEST-NET-2): the city platform, a historian. */
  peer: string;
}

export interface CraftedCapture {
  name: string;
  family: RuleFamily;
  kind: 'attack' | 'benign';
  /** For attacks: exactly the msec sids it must raise. */
  expectSids?: number[];
  why: string;
  build(cap: Capture, net: CaptureNet): void;
}

export const CRAFTED_CAPTURES: CraftedCapture[] = [...HOST_CAPTURES, ...ICS_CAPTURES];

export function captureNet(index: number): CaptureNet {
  const i = index + 1;
  return {
    attacker: `203.0.113.${i}`,
    device: `192.168.${i}.10`,
    device2: `192.168.${i}.11`,
    insider: `192.168.${i}.20`,
    peer: `198.51.100.${i}`,
  };
}

/** All captures in one pcap, each in its own time slot. */
export function buildMergedCapture(captures: readonly CraftedCapture[] = CRAFTED_CAPTURES): Buffer {
  const start = Date.UTC(2026, 0, 15, 8, 0, 0);
  const merged = new Capture(start);
  captures.forEach((c, i) => {
    const cap = new Capture(start + i * 600_000);
    c.build(cap, captureNet(i));
    merged.packets.push(...cap.packets);
  });
  return merged.toBuffer();
}

/** Which capture an EVE record belongs to, from its addresses. */
export function captureOf(
  record: { src_ip?: string; dest_ip?: string },
  captures: readonly CraftedCapture[] = CRAFTED_CAPTURES,
): CraftedCapture | undefined {
  for (let i = 0; i < captures.length; i++) {
    const n = captureNet(i);
    const mine = new Set([n.attacker, n.device, n.device2, n.insider, n.peer]);
    if (mine.has(record.src_ip ?? '') || mine.has(record.dest_ip ?? '')) return captures[i];
  }
  return undefined;
}
