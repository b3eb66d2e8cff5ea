import { existsSync, readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MsecError } from '../../core/errors.ts';
import { writePrivateFile } from '../../core/files.ts';
import {
  generateVaultKeyPair,
  openKeyFile,
  parseKeyFile,
  sealKeyFile,
  VaultClient,
  type VaultKeyPair,
} from '../../vault/index.ts';
import type { CliIo } from '../io.ts';
import { parsePositiveInt } from '../options.ts';

interface HubOptions {
  hub: string;
  token?: string;
  key?: string;
  logKey?: string;
  passphraseStdin?: boolean;
}

/** Options of every command that talks to the platform; the private key is only ever read locally. */
function withHub(cmd: Command, needsKey = true): Command {
  cmd
    .addOption(new Option('--hub <url>', 'platform base URL').env('MSEC_HUB_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <token>', 'access token or API key').env('MSEC_TOKEN'))
    .option(
      '--log-key <file>',
      "PEM of the log's checkpoint key (default: fetched from the platform, trust on first use)",
    );
  if (needsKey) {
    cmd
      .addOption(new Option('--key <file>', 'your vault private key file (from keygen)').env('MSEC_VAULT_KEY'))
      .option('--passphrase-stdin', 'read the key passphrase from standard input (else env MSEC_VAULT_PASSPHRASE)');
  }
  return cmd;
}

function readFileOrFail(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new MsecError('NOT_FOUND', `cannot read the ${what} file ${path}`);
  }
}

function keyFileJson(path: string | undefined): unknown {
  if (!path) throw new MsecError('VALIDATION_FAILED', 'pass --key FILE (or set MSEC_VAULT_KEY)');
  try {
    return JSON.parse(readFileOrFail(path, 'key'));
  } catch (err) {
    if (err instanceof MsecError) throw err;
    throw new MsecError('VAULT_BAD_KEY_FILE', `${path} is not a vault key file`);
  }
}

async function passphrase(io: CliIo, fromStdin: boolean | undefined): Promise<string> {
  const p = fromStdin ? (await io.readStdin()).replace(/\r?\n$/, '') : process.env.MSEC_VAULT_PASSPHRASE;
  if (!p)
    throw new MsecError('VALIDATION_FAILED', 'no passphrase: use --passphrase-stdin or set MSEC_VAULT_PASSPHRASE');
  return p;
}

function clientOf(o: HubOptions): VaultClient {
  if (!o.token) throw new MsecError('VALIDATION_FAILED', 'pass --token TOKEN (or set MSEC_TOKEN)');
  return new VaultClient({
    baseUrl: o.hub,
    token: o.token,
    ...(o.logKey ? { logPublicKeyPem: readFileOrFail(o.logKey, 'log key') } : {}),
  });
}

async function unlock(io: CliIo, o: HubOptions): Promise<VaultKeyPair> {
  return openKeyFile(keyFileJson(o.key), await passphrase(io, o.passphraseStdin));
}

function recordIdArg(value: string): string {
  if (!/^rec_[A-Za-z0-9_-]{22}$/.test(value)) throw new InvalidArgumentError('must be a record id (rec_…)');
  return value;
}

export function registerVaultCommands(program: Command, io: CliIo): void {
  const vault = program
    .command('vault')
    .description('the crypto companion database: records encrypted on your side, proofs from the ledger');

  vault
    .command('keygen')
    .description('create your vault key pair; the private key is written encrypted under a passphrase (0600)')
    .requiredOption('--key <file>', 'where to write the private key file')
    .option('--force', 'overwrite an existing file')
    .option('--passphrase-stdin', 'read the passphrase from standard input (else env MSEC_VAULT_PASSPHRASE)')
    .action(async (o: { key: string; force?: boolean; passphraseStdin?: boolean }) => {
      if (existsSync(o.key) && !o.force)
        throw new MsecError(
          'CONFLICT',
          `${o.key} exists; pass --force to replace it (its records become unreadable to you)`,
        );
      const pass = await passphrase(io, o.passphraseStdin);
      const pair = await generateVaultKeyPair();
      writePrivateFile(o.key, `${JSON.stringify(await sealKeyFile(pair, pass), null, 2)}\n`);
      io.out(`wrote vault key ${pair.kid} to ${o.key}; register it with \`msec vault register\``);
    });

  withHub(
    vault
      .command('register')
      .description('register your public key with the platform (the private key never leaves this machine)'),
  ).action(async (o: HubOptions) => {
    const file = parseKeyFile(keyFileJson(o.key));
    const r = await clientOf(o).registerKey({ publicJwk: file.publicKey });
    io.out(`registered vault key ${r.kid} for ${r.principalId}`);
  });

  withHub(vault.command('put').description('encrypt locally and store a new record, or a new version of RECORD'))
    .argument('[record]', 'existing record id (new version)', recordIdArg)
    .option('--file <file>', 'read the plaintext from this file')
    .option('--data <text>', 'the plaintext, inline')
    .action(async (record: string | undefined, o: HubOptions & { file?: string; data?: string }) => {
      if ((o.file === undefined) === (o.data === undefined))
        throw new MsecError('VALIDATION_FAILED', 'pass exactly one of --file or --data');
      const data = o.file !== undefined ? new Uint8Array(readFileSync(o.file)) : new TextEncoder().encode(o.data);
      const r = await clientOf(o).put(data, await unlock(io, o), record);
      io.out(`stored ${r.id} version ${r.version} (ledger entry ${r.ledgerIndex}, sha256 ${r.hash})`);
    });

  withHub(vault.command('get').description('fetch, verify the ledger proof and the GCM tag, decrypt locally'))
    .argument('<record>', 'record id', recordIdArg)
    .option('--version <n>', 'a past version', parsePositiveInt)
    .option('--out <file>', 'write the plaintext here (0600) instead of standard output')
    .action(async (record: string, o: HubOptions & { version?: number; out?: string }) => {
      const r = await clientOf(o).get(record, await unlock(io, o), o.version);
      if (o.out) {
        writePrivateFile(o.out, r.plaintext);
        io.out(
          `wrote ${r.id} version ${r.version} to ${o.out}; verified in the log at entry ${r.entry.index} of ${r.treeSize}`,
        );
      } else {
        io.out(new TextDecoder().decode(r.plaintext));
      }
    });

  withHub(
    vault
      .command('grant')
      .description("approve a reader: re-wrap the record's data key for their registered key, on this machine"),
  )
    .argument('<record>', 'record id', recordIdArg)
    .requiredOption('--reader <principal>', "the reader's principal id")
    .action(async (record: string, o: HubOptions & { reader: string }) => {
      const r = await clientOf(o).grant(record, o.reader, await unlock(io, o));
      io.out(`granted ${o.reader} access to ${record} (version ${r.versions.join(', ')})`);
    });

  withHub(
    vault
      .command('revoke')
      .description('revoke a reader: their wrapped keys are destroyed; your next put uses a fresh key without them'),
    false,
  )
    .argument('<record>', 'record id', recordIdArg)
    .requiredOption('--reader <principal>', "the reader's principal id")
    .action(async (record: string, o: HubOptions & { reader: string }) => {
      const r = await clientOf(o).revoke(record, o.reader);
      io.out(`revoked ${o.reader} on ${record} (${r.destroyedKeys} wrapped keys destroyed)`);
    });

  withHub(
    vault
      .command('erase')
      .description('erase a record for good (GDPR art. 17): keys and ciphertext destroyed, the ledger keeps its hash'),
    false,
  )
    .argument('<record>', 'record id', recordIdArg)
    .action(async (record: string, o: HubOptions) => {
      const t = await clientOf(o).erase(record);
      io.out(
        `erased ${t.id}; tombstone: ${t.versions.map((v) => `v${v.version} sha256 ${v.hash} at ledger entry ${v.ledgerIndex}`).join('; ')}`,
      );
    });

  withHub(vault.command('request').description("ask a record's owner for access"), false)
    .argument('<record>', 'record id', recordIdArg)
    .option('--reason <text>', 'why you need it')
    .action(async (record: string, o: HubOptions & { reason?: string }) => {
      const r = await clientOf(o).requestAccess(record, o.reason);
      io.out(`requested access to ${record}: request ${r.id} is ${r.status}`);
    });

  withHub(
    vault.command('requests').description('list access requests on your records (or --mine: the ones you made)'),
    false,
  )
    .option('--mine', 'requests you made')
    .option('--status <status>', 'pending, approved, denied, revoked or cancelled')
    .action(async (o: HubOptions & { mine?: boolean; status?: string }) => {
      const items = await clientOf(o).requests(o.mine ? 'requester' : 'owner', o.status);
      if (items.length === 0) io.out('no requests');
      for (const r of items) io.out(`${r.id}\t${r.recordId}\t${r.requesterId}\t${r.status}\t${r.reason ?? ''}`);
    });
}
