import { InvalidArgumentError, type Command } from 'commander';
import { MsecError } from '../../core/errors.ts';
import { newSecret } from '../../core/ids.ts';
import {
  ORG_KINDS,
  PRINCIPAL_KINDS,
  ROLES,
  isRole,
  type OrgKind,
  type PrincipalKind,
  type Role,
} from '../../iam/roles.ts';
import type { CliIo } from '../io.ts';
import { openLocalIam } from '../local-platform.ts';
import { configFromOptions, parsePositiveInt, withDataOptions, type DataOptionValues } from '../options.ts';

function oneOf<T extends string>(allowed: readonly T[], what: string) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value))
      throw new InvalidArgumentError(`${what} must be one of ${allowed.join(', ')}`);
    return value as T;
  };
}

function collectRole(value: string, previous: Role[] = []): Role[] {
  if (!isRole(value)) throw new InvalidArgumentError(`role must be one of ${ROLES.join(', ')}`);
  return [...previous, value];
}

export function registerAdminCommands(program: Command, io: CliIo): void {
  const admin = program.command('admin').description('administer identities directly in a data directory');

  withDataOptions(
    admin
      .command('unlock')
      .description('let NAME log in again: clears the failed-login throttles of every address (the recovery path)')
      .argument('<name>', 'login name'),
  ).action(async (name: string, o: DataOptionValues) => {
    const local = await openLocalIam(await configFromOptions(o));
    try {
      const p = await local.iam.directory.findByName(name);
      if (!p) throw new MsecError('NOT_FOUND', `no principal named ${name}`);
      await local.iam.unlock(p);
      await local.iam.audit.append({
        actorName: 'cli',
        action: 'iam:principal:unlock',
        resource: `principal id=${p.id} name=${p.name}`,
        orgId: p.orgId,
        outcome: 'succeeded',
      });
      io.out(`unlocked ${p.name}: it may log in again from every address`);
    } finally {
      await local.close();
    }
  });

  withDataOptions(
    admin
      .command('create-org')
      .description('create an organisation (a city, a data buyer, a partner)')
      .requiredOption('--id <id>', 'short id, e.g. santander')
      .requiredOption('--name <name>', 'display name')
      .option('--kind <kind>', `one of ${ORG_KINDS.join(', ')}`, oneOf(ORG_KINDS, 'kind'), 'city' as OrgKind),
  ).action(async (o: DataOptionValues & { id: string; name: string; kind: OrgKind }) => {
    const local = await openLocalIam(await configFromOptions(o));
    try {
      const org = await local.iam.directory.createOrg({ id: o.id, name: o.name, kind: o.kind });
      await local.iam.audit.append({
        actorName: 'cli',
        action: 'iam:org:create',
        resource: `org id=${org.id}`,
        outcome: 'succeeded',
      });
      io.out(`created organisation ${org.id} (${org.kind})`);
    } finally {
      await local.close();
    }
  });

  withDataOptions(
    admin
      .command('create-user')
      .description('create a user or service principal; prints a generated password once unless --password-stdin')
      .requiredOption('--org <id>', 'organisation id')
      .requiredOption('--username <name>', 'login name')
      .requiredOption('--role <role>', `role (repeatable): ${ROLES.join(', ')}`, collectRole)
      .option(
        '--kind <kind>',
        'user or service',
        oneOf(PRINCIPAL_KINDS.filter((k) => k !== 'device') as PrincipalKind[], 'kind'),
        'user' as PrincipalKind,
      )
      .option('--display-name <name>', 'display name')
      .option('--password-stdin', 'read the password from standard input instead of generating one'),
  ).action(
    async (
      o: DataOptionValues & {
        org: string;
        username: string;
        role: Role[];
        kind: PrincipalKind;
        displayName?: string;
        passwordStdin?: boolean;
      },
    ) => {
      const password = o.passwordStdin ? (await io.readStdin()).replace(/\r?\n$/, '') : newSecret(18);
      const local = await openLocalIam(await configFromOptions(o));
      try {
        const p = await local.iam.directory.createPrincipal({
          orgId: o.org,
          kind: o.kind,
          name: o.username,
          displayName: o.displayName,
          roles: o.role,
          password,
        });
        await local.iam.audit.append({
          actorName: 'cli',
          action: 'iam:principal:create',
          resource: `principal id=${p.id} name=${p.name}`,
          orgId: p.orgId,
          outcome: 'succeeded',
        });
        io.out(`created ${p.kind} ${p.name} (${p.id}) in ${p.orgId} with roles ${p.roles.join(', ')}`);
        if (!o.passwordStdin) io.out(`password (shown once): ${password}`);
      } finally {
        await local.close();
      }
    },
  );

  withDataOptions(
    admin
      .command('create-api-key')
      .description('create an API key for a principal; prints the key once')
      .requiredOption('--principal <name>', 'principal name (user or service)')
      .requiredOption('--name <label>', 'what the key is for')
      .option('--ttl-days <n>', 'expire after N days', parsePositiveInt),
  ).action(async (o: DataOptionValues & { principal: string; name: string; ttlDays?: number }) => {
    const local = await openLocalIam(await configFromOptions(o));
    try {
      const p = await local.iam.directory.findByName(o.principal);
      if (!p) throw new MsecError('NOT_FOUND', `principal ${o.principal} not found`);
      const { key, info } = await local.iam.apiKeys.create(p.id, o.name, o.ttlDays ? o.ttlDays * 86400 : undefined);
      await local.iam.audit.append({
        actorName: 'cli',
        action: 'iam:api-key:create',
        resource: `api-key id=${info.id} principal=${p.id}`,
        orgId: p.orgId,
        outcome: 'succeeded',
      });
      io.out(`api key ${info.id} for ${p.name} (shown once): ${key}`);
    } finally {
      await local.close();
    }
  });

  withDataOptions(
    admin
      .command('rotate-keys')
      .description(
        'new token-signing key: it signs from now on, the old one still verifies until its tokens expire (JWKS serves both)',
      ),
  ).action(async (o: DataOptionValues) => {
    const local = await openLocalIam(await configFromOptions(o));
    try {
      await local.iam.signingKeys.reload();
      const r = await local.iam.signingKeys.rotate();
      await local.iam.audit.append({
        actorName: 'cli',
        action: 'iam:signing-key:rotate',
        resource: `signing-key kid=${r.kid}`,
        outcome: 'succeeded',
        detail: { previous: r.previous, previousRetiresAt: r.previousRetiresAt },
      });
      io.out(`signing with ${r.kid}; ${r.previous} verifies until ${new Date(r.previousRetiresAt).toISOString()}`);
    } finally {
      await local.close();
    }
  });
}
