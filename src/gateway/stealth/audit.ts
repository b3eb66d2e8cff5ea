import {
  checkAgent,
  checkListening,
  checkNftables,
  checkPasswords,
  checkSshd,
  checkSuricata,
  type CheckResult,
} from './audit-checks.ts';

export interface AuditOptions {
  eve: string;
  agentStateDir: string;
  shadow: string;
  sshdConfig: string;
  procNet: string;
  expectedPorts: number[];
  freshSeconds: number;
}

/** Runs every check of the gateway health report. */
export function runAudit(o: AuditOptions): {
  checks: CheckResult[];
  summary: Record<'pass' | 'warn' | 'fail', number>;
} {
  const checks = [
    checkNftables(),
    checkListening(o.procNet, o.expectedPorts),
    checkPasswords(o.shadow),
    ...checkSshd(o.sshdConfig),
    ...checkSuricata(o.eve, o.freshSeconds),
    ...checkAgent(o.agentStateDir, o.freshSeconds),
  ];
  const summary = { pass: 0, warn: 0, fail: 0 };
  for (const c of checks) summary[c.status]++;
  return { checks, summary };
}

export function formatAudit(r: ReturnType<typeof runAudit>): string[] {
  return [
    ...r.checks.map((c) => `${c.status.toUpperCase().padEnd(4)}  ${c.id.padEnd(22)} ${c.summary}`),
    `${r.summary.pass} pass, ${r.summary.warn} warn, ${r.summary.fail} fail`,
  ];
}
