import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MsecError } from '../../core/errors.ts';
import { loadKb, searchKb } from '../kb/kb.ts';
import { analyze, openAtLeast } from './analyze.ts';
import { loadModelFile } from './load-model.ts';
import { formatDiagnostic } from './model-types.ts';
import { RISK_LEVELS, type RiskLevel } from './risk.ts';
import { REPORT_FORMATS, writeReport, type ReportFormat } from './write-report.ts';

/** Where commands write (the CLI's io, structurally: design does not import the CLI). */
export interface DesignIo {
  out(line: string): void;
  err(line: string): void;
}

function formats(value: string): ReportFormat[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (list.length === 0 || bad.length)
    throw new InvalidArgumentError(`must be a comma-separated list of ${REPORT_FORMATS.join(', ')}`);
  return [...new Set(list)] as ReportFormat[];
}

function riskLevel(value: string): RiskLevel {
  if (!(RISK_LEVELS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${RISK_LEVELS.join(', ')}`);
  return value as RiskLevel;
}

/** `msec design threats` and `msec design kb`, added to the `design` command. */
export function registerThreatsCommands(design: Command, io: DesignIo): void {
  design
    .command('threats')
    .description('threat-model a system: STRIDE per element, knowledge matching, OWASP risk, reports and diagrams')
    .argument('<model>', 'threat model (YAML)')
    .option('-o, --output <dir>', 'directory for the report', 'threat-report')
    .addOption(
      new Option('--format <list>', `comma-separated: ${REPORT_FORMATS.join(', ')}`)
        .argParser(formats)
        .default([...REPORT_FORMATS], REPORT_FORMATS.join(',')),
    )
    .option(
      '--fail-on <level>',
      `exit 1 when a threat at or above this risk is open (${RISK_LEVELS.join(', ')})`,
      riskLevel,
    )
    .action((model: string, opts: { output: string; format: ReportFormat[]; failOn?: RiskLevel }) => {
      const parsed = loadModelFile(model);
      if (!parsed.model) {
        for (const d of parsed.diagnostics) io.err(formatDiagnostic(d));
        throw new MsecError(
          'DESIGN_MODEL_INVALID',
          `${model}: ${parsed.diagnostics.length} problem${parsed.diagnostics.length === 1 ? '' : 's'} in the model`,
        );
      }
      const kb = loadKb();
      const a = analyze(parsed.model, kb);
      const files = writeReport(a, kb, resolve(opts.output), opts.format);
      const s = a.summary;
      io.out(
        `${s.threats} threats, ${s.open} open (critical ${s.openByRisk.critical}, high ${s.openByRisk.high}, medium ${s.openByRisk.medium}, low ${s.openByRisk.low}), ${s.mitigated} mitigated`,
      );
      for (const f of files) io.out(`wrote ${f}`);
      if (opts.failOn) {
        const over = openAtLeast(a, opts.failOn);
        if (over.length > 0) {
          for (const t of over.slice(0, 20)) io.err(`open ${t.rating.risk}: ${t.id} ${t.title}`);
          if (over.length > 20) io.err(`… and ${over.length - 20} more`);
          throw new MsecError(
            'DESIGN_RISK_GATE',
            `${over.length} open threat${over.length === 1 ? '' : 's'} at or above ${opts.failOn}`,
          );
        }
      }
    });

  const kbCmd = design
    .command('kb')
    .description('browse the security knowledge base (STRIDE, CAPEC, CWE, countermeasures, protocols)');
  kbCmd
    .command('search')
    .description('entries whose id, name or text contain every word')
    .argument('<text...>', 'words to look for')
    .option(
      '--limit <n>',
      'most entries to list',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 1000)
          throw new InvalidArgumentError('must be an integer from 1 to 1000');
        return n;
      },
      20,
    )
    .option('--json', 'print JSON')
    .action((words: string[], opts: { limit: number; json?: boolean }) => {
      const hits = searchKb(loadKb(), words.join(' '), opts.limit);
      if (opts.json)
        return io.out(
          JSON.stringify(
            hits.map((x) => ({ id: x.entry.id, name: x.entry.name, category: x.entry.category, type: x.entry.type })),
          ),
        );
      if (hits.length === 0) return io.out('no entries match');
      for (const { entry } of hits) io.out(`${entry.id.padEnd(30)} ${entry.category.padEnd(9)} ${entry.name}`);
    });
  kbCmd
    .command('show')
    .description('one entry with the entries it links to')
    .argument('<id>', 'entry id, e.g. CAPEC-94, CWE-319, STRIDE-T, CM-anonymizer, PROTO-mqtt')
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }) => {
      const kb = loadKb();
      const entry = kb.get(id);
      if (!entry)
        throw new MsecError('DESIGN_KB_NOT_FOUND', `no knowledge-base entry ${id} (try msec design kb search)`);
      if (opts.json) return io.out(JSON.stringify(entry, null, 1));
      const named = (ids: string[]) => ids.map((r) => `  ${r.padEnd(28)} ${kb.get(r)?.name ?? ''}`);
      io.out(`${entry.id}: ${entry.name}`);
      io.out(`${entry.type} · ${entry.category} · source: ${entry.source}`);
      io.out(entry.description);
      if (entry.reference) io.out(`reference: ${entry.reference}`);
      if (entry.stride) io.out(`STRIDE: ${entry.stride.join(', ')}`);
      if (entry.likelihood) io.out(`likelihood: ${entry.likelihood} · typical severity: ${entry.severity}`);
      if (entry.msec) io.out(`implemented by msec ${entry.msec.module}: ${entry.msec.capability}`);
      if (entry.traits) io.out(`traits: ${entry.traits.join(', ') || 'none'}`);
      if (entry.relatedCwe?.length) io.out(`related CWE (catalogue): ${entry.relatedCwe.join(', ')}`);
      if (entry.relatedCapec?.length) io.out(`related CAPEC (catalogue): ${entry.relatedCapec.join(', ')}`);
      for (const mit of entry.mitigations ?? []) io.out(`mitigation: ${mit}`);
      for (const [label, ids] of [
        ['inherits', entry.inherit],
        ['related', entry.related],
      ] as const) {
        if (ids.length === 0) continue;
        io.out(`${label}:`);
        named(ids).forEach((l) => io.out(l));
      }
    });
}
