import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { MsecError } from '../../core/errors.ts';
import type { CliIo } from '../io.ts';
import { parsePositiveInt } from '../options.ts';
import { callPlatformApi } from '../platform-api.ts';

interface ApiOptions {
  hub: string;
  token?: string;
}

function withApi(cmd: Command): Command {
  return cmd
    .addOption(new Option('--hub <url>', 'platform base URL').env('MSEC_HUB_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <token>', 'access token or API key').env('MSEC_TOKEN'));
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new MsecError('NOT_FOUND', `cannot read the ${what} file ${path}`);
  }
}

const api = callPlatformApi;

/** A progress line on stderr, redrawn in place (only on a terminal, or when asked). */
function progress(io: CliIo, enabled: boolean, total: number) {
  let last = 0;
  return (done: number, note: string) => {
    if (!enabled) return;
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round((done / Math.max(1, total)) * 100)}% ${note}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}${done >= total ? '\n' : ''}`);
    else if (done >= total) io.err(line);
  };
}

function printRuleError(io: CliIo, err: unknown): never {
  if (err instanceof MsecError && err.code === 'MONITOR_RULE_INVALID') {
    const d = (err.details ?? {}) as { file?: string; line?: number; field?: string; errors?: unknown[] };
    for (const e of d.errors ?? []) io.err(`  ${typeof e === 'string' ? e : JSON.stringify(e)}`);
    throw new MsecError(
      err.code,
      `${d.file ?? 'rule file'}${d.line ? `:${d.line}` : ''}${d.field ? ` (${d.field})` : ''}: ${err.message}`,
    );
  }
  throw err;
}

export function registerMonitorCommands(program: Command, io: CliIo): void {
  const monitor = program.command('monitor').description('threat monitoring: detection rules, alerts, event import');
  const rules = monitor.command('rules').description('detection rules (Sigma)');

  withApi(
    rules
      .command('list')
      .description('the active rules: the shipped pack and operator rule sets')
      .option('--json', 'print JSON'),
  ).action(async (o: ApiOptions & { json?: boolean }) => {
    const r = await api(o, 'GET', '/monitor/rules');
    if (o.json) return io.out(JSON.stringify(r.items, null, 2));
    for (const x of r.items as Array<{
      id: string;
      title: string;
      level: string;
      origin: string;
      set: string | null;
      enabled: boolean;
    }>) {
      io.out(
        `${x.enabled ? 'on ' : 'off'}  ${x.level.padEnd(13)} ${x.origin === 'pack' ? 'pack' : `set:${x.set}`}  ${x.id}  ${x.title}`,
      );
    }
  });

  withApi(
    rules
      .command('add')
      .description('add (or with --replace, tune) an operator rule set from a Sigma YAML file')
      .argument('<file>')
      .option('--id <id>', 'rule set id (default: the file name)')
      .option('--replace', 'replace an existing set of that id'),
  ).action(async (file: string, o: ApiOptions & { id?: string; replace?: boolean }) => {
    const yaml = readText(file, 'rule');
    const id =
      o.id ??
      basename(file)
        .replace(/\.ya?ml$/i, '')
        .replace(/[^A-Za-z0-9._-]/g, '-');
    const r = await (
      o.replace
        ? api(o, 'PUT', `/monitor/rules/${encodeURIComponent(id)}`, { yaml, file: basename(file) })
        : api(o, 'POST', '/monitor/rules', { id, yaml, file: basename(file) })
    ).catch((err: unknown) => printRuleError(io, err));
    io.out(`rule set ${r.set}: ${r.rules.length} rule(s) loaded`);
    for (const x of r.rules as Array<{ id: string; title: string }>) io.out(`  ${x.id}  ${x.title}`);
  });

  rules
    .command('test')
    .description('evaluate a rule file offline over EVE records and print what matches')
    .argument('<file>', 'Sigma YAML file')
    .requiredOption('--events <eve.json>', 'EVE JSON file (one record per line)')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { events: string; json?: boolean }) => {
      const { testRules } = await import('../../monitor/index.ts');
      const yaml = readText(file, 'rule');
      const lines = readText(o.events, 'events').split('\n');
      let result;
      try {
        result = testRules(yaml, basename(file), lines);
      } catch (err) {
        printRuleError(io, err);
      }
      if (o.json) return io.out(JSON.stringify(result, null, 2));
      io.out(
        `${result.rules.length} rule(s), ${result.events} event(s), ${result.rejected.length} line(s) refused, ${result.matches.length} match(es)`,
      );
      for (const r of result.rejected.slice(0, 20)) io.err(`line ${r.line}: ${r.code} ${r.message}`);
      for (const m of result.matches) {
        const g = m.match.group ? ` group ${JSON.stringify(m.match.group)}` : '';
        io.out(
          `line ${m.line}: ${m.match.kind} ${m.match.rule.level} "${m.match.rule.title}"${g}${m.match.count !== undefined ? ` count ${m.match.count}` : ''}`,
        );
      }
    });

  withApi(
    monitor
      .command('alerts')
      .description('the alert inbox, most recent first')
      .option('--open', 'only open alerts')
      .option('--limit <n>', 'at most this many', parsePositiveInt, 50)
      .option('--json', 'print JSON'),
  ).action(async (o: ApiOptions & { open?: boolean; limit: number; json?: boolean }) => {
    const q = new URLSearchParams({ limit: String(Math.min(500, o.limit)), ...(o.open ? { status: 'open' } : {}) });
    const r = await api(o, 'GET', `/monitor/alerts?${q}`);
    if (o.json) return io.out(JSON.stringify(r.items, null, 2));
    if (r.items.length === 0) return io.out('no alerts');
    for (const a of r.items as Array<{
      id: string;
      org: string;
      level: string;
      risk: number;
      status: string;
      count: number;
      source: string | null;
      destination: string | null;
      lastSeen: number;
      rule: { title: string };
      mitre: { technique: string | null };
    }>) {
      io.out(
        `${a.id}  ${a.status.padEnd(12)} ${a.level.padEnd(13)} risk ${String(a.risk).padStart(3)}  x${a.count}  ${a.org}  ${a.source ?? '*'} -> ${a.destination ?? '*'}  ${a.mitre.technique ?? '-'}  ${a.rule.title}  (last ${new Date(a.lastSeen).toISOString()})`,
      );
    }
  });

  withApi(
    monitor
      .command('ingest')
      .description(
        'one-shot import of an EVE JSON file through the ingest API (idempotent: re-importing stores nothing twice)',
      )
      .argument('<eve.json>')
      .option('--gateway <name>', 'the gateway the events came from', 'import')
      .option('--org <org>', 'the city (default: your own)')
      .option('--batch <n>', 'events per request (at most 5000)', parsePositiveInt, 1000)
      .option('--progress', 'show progress on stderr even when it is not a terminal'),
  ).action(
    async (file: string, o: ApiOptions & { gateway: string; org?: string; batch: number; progress?: boolean }) => {
      const text = readText(file, 'EVE');
      // Ids as the agent makes them (file identity + byte offset), so a re-import is a replay.
      const st = statSync(file);
      const fileKey = createHash('sha256').update(resolve(file)).update(String(st.ino)).digest('hex').slice(0, 12);
      const items: Array<{ id: string; type: string; line: string }> = [];
      let offset = 0;
      for (const line of text.split('\n')) {
        if (line.trim() !== '')
          items.push({ id: `${o.gateway}:${fileKey}:${offset}`, type: 'eve', line: line.replace(/\r$/, '') });
        offset += Buffer.byteLength(line) + 1;
      }
      const show = progress(io, Boolean(o.progress) || Boolean(process.stderr.isTTY), items.length);
      const size = Math.min(5000, o.batch);
      const totals = { accepted: 0, duplicates: 0, rejected: 0 };
      const codes: Record<string, number> = {};
      for (let i = 0; i < items.length; i += size) {
        const r = await api(o, 'POST', '/monitor/ingest', {
          agent: { name: o.gateway, version: 'msec-cli', ...(o.org ? { org: o.org } : {}) },
          events: items.slice(i, i + size),
        });
        totals.accepted += r.accepted;
        totals.duplicates += r.duplicates;
        totals.rejected += r.rejected.length;
        for (const x of r.rejected as Array<{ code: string }>) codes[x.code] = (codes[x.code] ?? 0) + 1;
        show(Math.min(items.length, i + size), `${totals.accepted} stored`);
      }
      show(items.length, `${totals.accepted} stored`);
      const why = Object.entries(codes)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ');
      io.out(
        `${items.length} line(s): ${totals.accepted} stored, ${totals.duplicates} already stored, ${totals.rejected} refused${why ? ` (${why})` : ''}`,
      );
    },
  );
}
