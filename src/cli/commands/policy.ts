import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MsecError } from '../../core/errors.ts';
import type { CliIo } from '../io.ts';
import { parsePositiveInt } from '../options.ts';
import { callPlatformApi } from '../platform-api.ts';

interface ApiOptions {
  hub: string;
  token?: string;
  json?: boolean;
}

function withApi(cmd: Command): Command {
  return cmd
    .addOption(new Option('--hub <url>', 'platform base URL').env('MSEC_HUB_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <token>', 'access token or API key').env('MSEC_TOKEN'))
    .option('--json', 'print the API answer as JSON');
}

const api = callPlatformApi;

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch {
    throw new MsecError('NOT_FOUND', `cannot read the policy file ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MsecError('IAM_POLICY_INVALID', `${path} is not JSON: ${(err as Error).message}`);
  }
}

function collectAttr(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('an attribute is NAME=VALUE');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** `TYPE` or `TYPE:ID` (the id may itself contain colons). */
function parseResource(text: string): { type: string; id?: string } {
  const colon = text.indexOf(':');
  if (colon === 0) throw new InvalidArgumentError('RESOURCE is TYPE or TYPE:ID');
  return colon < 0 ? { type: text } : { type: text.slice(0, colon), id: text.slice(colon + 1) };
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function registerPolicyCommands(program: Command, io: CliIo): void {
  const policy = program
    .command('policy')
    .description('central policies: who may do what on which resource (docs/iam.md "Central policies")');

  withApi(policy.command('list').description('list the central policies in force')).action(async (o: ApiOptions) => {
    const { items } = await api(o, 'GET', '/policies');
    if (o.json) return io.out(JSON.stringify(items, null, 2));
    if (items.length === 0) return io.out('no central policies');
    for (const p of items)
      io.out(
        `${p.id}  v${p.version}  ${p.effect}  ${p.actions.join(',')}  roles=${Array.isArray(p.roles) ? p.roles.join(',') : (p.roles ?? '*')}  by ${p.updatedBy ?? '?'} ${when(p.updatedAt)}${p.description ? `  # ${p.description}` : ''}`,
      );
  });

  withApi(
    policy
      .command('add')
      .description('add a policy from a JSON file (- for stdin); validated, refused if it locks administrators out')
      .argument('<file>', 'policy document')
      .option('--replace', 'replace the stored policy with the same id')
      .option('--expect-version <n>', 'with --replace: refuse if the stored version is not N', parsePositiveInt),
  ).action(async (file: string, o: ApiOptions & { replace?: boolean; expectVersion?: number }) => {
    const doc = readJson(file) as { id?: string };
    const p = o.replace
      ? await api(
          o,
          'PUT',
          `/policies/${encodeURIComponent(String(doc.id ?? ''))}${o.expectVersion ? `?version=${o.expectVersion}` : ''}`,
          doc,
        )
      : await api(o, 'POST', '/policies', doc);
    io.out(o.json ? JSON.stringify(p, null, 2) : `${o.replace ? 'replaced' : 'added'} ${p.id} (version ${p.version})`);
  });

  withApi(
    policy
      .command('remove')
      .description('remove a central policy')
      .argument('<id>', 'policy id')
      .option('--expect-version <n>', 'refuse if the stored version is not N', parsePositiveInt),
  ).action(async (id: string, o: ApiOptions & { expectVersion?: number }) => {
    await api(
      o,
      'DELETE',
      `/policies/${encodeURIComponent(id)}${o.expectVersion ? `?version=${o.expectVersion}` : ''}`,
    );
    io.out(`removed ${id}`);
  });

  withApi(
    policy
      .command('history')
      .description('who changed which policy, when, newest first')
      .argument('[id]', 'only this policy'),
  ).action(async (id: string | undefined, o: ApiOptions) => {
    const { items } = await api(o, 'GET', `/policies/history${id ? `?policy=${encodeURIComponent(id)}` : ''}`);
    if (o.json) return io.out(JSON.stringify(items, null, 2));
    if (items.length === 0) return io.out('no changes');
    for (const c of items)
      io.out(
        `${when(c.at)}  ${c.policyId}  v${c.version}  ${c.change}  by ${c.actorName ?? '?'}${c.document ? `  ${c.document.effect} ${c.document.actions.join(',')}` : ''}`,
      );
  });

  withApi(
    policy
      .command('test')
      .description('dry run: would USER be allowed ACTION on RESOURCE, and which statement decides')
      .requiredOption('--as <user>', 'principal name or id')
      .argument('<action>', 'e.g. vault:record:read')
      .argument('<resource>', 'TYPE or TYPE:ID, e.g. record:rec_1')
      .option('--org <org>', "the resource's organisation (default: the principal's)")
      .option('--owner <id>', "the resource's owner")
      .option('--attr <name=value>', 'a resource attribute (repeatable)', collectAttr)
      .option('--candidate <file>', 'test against this JSON array of policies instead of the stored ones'),
  ).action(
    async (
      action: string,
      resourceText: string,
      o: ApiOptions & { as: string; org?: string; owner?: string; attr?: Record<string, string>; candidate?: string },
    ) => {
      const resource = {
        ...parseResource(resourceText),
        ...(o.org ? { org: o.org } : {}),
        ...(o.owner ? { owner: o.owner } : {}),
        ...(o.attr ? { attributes: o.attr } : {}),
      };
      const r = await api(o, 'POST', '/policies/test', {
        as: o.as,
        action,
        resource,
        ...(o.candidate ? { candidate: readJson(o.candidate) } : {}),
      });
      if (o.json) return io.out(JSON.stringify(r, null, 2));
      io.out(`${r.allow ? 'ALLOW' : 'DENY'}  ${r.reason}`);
      io.out(`  principal ${r.principal.name} (org ${r.principal.org}, roles ${r.principal.roles.join(',') || '-'})`);
      for (const m of r.matched)
        io.out(
          `  ${m.id === r.statement ? '=>' : '  '} ${m.effect.padEnd(5)} ${m.id} [${m.source}]${m.description ? `  ${m.description}` : ''}`,
        );
      if (r.matched.length === 0) io.out('  no statement matched: deny by default');
    },
  );
}
