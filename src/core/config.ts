import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Type, { type Static } from 'typebox';
import { MsecError } from './errors.ts';
import { validationIssues } from './validate.ts';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

const LdapConfigSchema = Type.Object(
  {
    url: Type.String({ pattern: '^ldaps?://[^\\s]+$' }),
    bindDn: Type.String({ minLength: 1 }),
    bindPasswordFile: Type.String({ minLength: 1 }),
    /** PEM file of the CA that signed the directory's certificate (LDAPS or StartTLS). */
    caFile: Type.Optional(Type.String({ minLength: 1 })),
    startTls: Type.Optional(Type.Boolean()),
    userBase: Type.String({ minLength: 1 }),
    userAttribute: Type.Optional(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9-]{0,63}$' })),
    groupBase: Type.String({ minLength: 1 }),
    groupMemberAttribute: Type.Optional(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9-]{0,63}$' })),
    /** Group cn → msec role. */
    groupRoles: Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 })),
    /** Group cn → organisation id; the first match wins, else defaultOrg. */
    groupOrgs: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }))),
    defaultOrg: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }),
    cacheTtlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60000 })),
  },
  { additionalProperties: false },
);

const OidcConfigSchema = Type.Object(
  {
    /** The external provider's issuer URL, exactly as its discovery document states it. */
    issuer: Type.String({ pattern: '^https?://[^\\s]+$' }),
    /** The audience its tokens must carry for msec. */
    audience: Type.String({ minLength: 1 }),
    /** Claim holding the user's groups or roles (a string or an array of strings). */
    rolesClaim: Type.Optional(Type.String({ minLength: 1 })),
    /** Claim value → msec role. */
    claimRoles: Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 })),
    defaultOrg: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }),
    clockSkewSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 600 })),
    /** Least time between two JWKS re-fetches triggered by an unknown key id. */
    jwksCooldownSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60000 })),
    /** The console's sign-in at this provider (authorization code with PKCE); absent: no button. */
    console: Type.Optional(
      Type.Object(
        {
          /** The console's client at the provider (a confidential client when clientSecret is set). */
          clientId: Type.String({ minLength: 1 }),
          clientSecret: Type.Optional(Type.String({ minLength: 1 })),
          /** Shown on the button: "Sign in with <name>". */
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
          /** The registered redirect URI; by default the callback under the address the browser used. */
          redirectUri: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
          scope: Type.Optional(Type.String({ minLength: 6 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    dataDir: Type.String({ minLength: 1 }),
    host: Type.String({ minLength: 1 }),
    port: Port,
    databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
    natsUrl: Type.Optional(Type.String({ pattern: '^nats://' })),
    /** Subject prefix on NATS: platforms (or test runs) sharing one NATS keep apart by it. */
    natsPrefix: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' })),
    redisUrl: Type.Optional(Type.String({ pattern: '^rediss?://' })),
    evmRpcUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    mqttPort: Port,
    /** The hub's mTLS MQTT listener (client certificates from msec's CA); absent: none. */
    mqttMtlsPort: Type.Optional(Port),
    /** The hub's mTLS HTTPS listener for device readings; absent: none. */
    mtlsHttpPort: Type.Optional(Port),
    logLevel: Type.Union([
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ]),
    tlsCertFile: Type.Optional(Type.String({ minLength: 1 })),
    tlsKeyFile: Type.Optional(Type.String({ minLength: 1 })),
    demo: Type.Boolean(),
    roles: Type.Array(Type.String({ minLength: 1 })),
    auth: Type.Object(
      {
        accessTokenTtlSeconds: Type.Integer({ minimum: 30, maximum: 86400 }),
        refreshTokenTtlSeconds: Type.Integer({ minimum: 300, maximum: 90 * 86400 }),
        lockoutThreshold: Type.Integer({ minimum: 1, maximum: 100 }),
        lockoutSeconds: Type.Integer({ minimum: 1, maximum: 86400 }),
        loginRateLimitPerMinute: Type.Integer({ minimum: 1, maximum: 10000 }),
        /** Device enrollment calls per minute per address (2 per device): raise it to onboard a fleet behind one gateway. */
        enrollmentRateLimitPerMinute: Type.Integer({ minimum: 1, maximum: 100000 }),
        /** log2 of scrypt's N; 15 (32 MiB) in production, lower only in tests. */
        passwordHashCost: Type.Integer({ minimum: 10, maximum: 20 }),
        /** Rotate the token-signing key when it is older than this; absent: only `msec admin rotate-keys`. */
        signingKeyMaxAgeDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
      },
      { additionalProperties: false },
    ),
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024 }),
    /** The URL clients reach msec at: the OAuth issuer and the base of its metadata; absent: the request's host. */
    publicUrl: Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+(:\\d+)?(/[^\\s]*)?$' })),
    /** An external LDAP directory for user logins (docs/iam-directory.md); absent: the embedded directory only. */
    ldap: Type.Optional(LdapConfigSchema),
    /** An external OpenID Connect provider whose users' tokens msec accepts (docs/iam-directory.md). */
    oidc: Type.Optional(OidcConfigSchema),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type ConfigInput = {
  [K in keyof Config]?: K extends 'auth'
    ? Partial<Config['auth']>
    : K extends 'ldap'
      ? Partial<NonNullable<Config['ldap']>>
      : K extends 'oidc'
        ? Partial<NonNullable<Config['oidc']>>
        : Config[K];
};

export const DEFAULT_CONFIG: Config = {
  dataDir: './data',
  host: '127.0.0.1',
  port: 8080,
  mqttPort: 1884,
  logLevel: 'info',
  demo: false,
  roles: ['all'],
  auth: {
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 30 * 86400,
    lockoutThreshold: 5,
    lockoutSeconds: 900,
    loginRateLimitPerMinute: 10,
    enrollmentRateLimitPerMinute: 60,
    passwordHashCost: 15,
  },
  bodyLimitBytes: 256 * 1024,
};

/** Environment variables read, and the config key each sets. */
const ENV_KEYS: Record<string, { key: keyof Config; kind: 'string' | 'int' | 'bool' | 'list' }> = {
  MSEC_DATA_DIR: { key: 'dataDir', kind: 'string' },
  MSEC_HOST: { key: 'host', kind: 'string' },
  MSEC_PORT: { key: 'port', kind: 'int' },
  MSEC_MQTT_PORT: { key: 'mqttPort', kind: 'int' },
  MSEC_MQTT_MTLS_PORT: { key: 'mqttMtlsPort', kind: 'int' },
  MSEC_MTLS_HTTP_PORT: { key: 'mtlsHttpPort', kind: 'int' },
  MSEC_DATABASE_URL: { key: 'databaseUrl', kind: 'string' },
  MSEC_NATS_URL: { key: 'natsUrl', kind: 'string' },
  MSEC_NATS_PREFIX: { key: 'natsPrefix', kind: 'string' },
  MSEC_REDIS_URL: { key: 'redisUrl', kind: 'string' },
  MSEC_EVM_RPC_URL: { key: 'evmRpcUrl', kind: 'string' },
  MSEC_LOG_LEVEL: { key: 'logLevel', kind: 'string' },
  MSEC_TLS_CERT: { key: 'tlsCertFile', kind: 'string' },
  MSEC_TLS_KEY: { key: 'tlsKeyFile', kind: 'string' },
  MSEC_DEMO: { key: 'demo', kind: 'bool' },
  MSEC_ROLES: { key: 'roles', kind: 'list' },
  MSEC_PUBLIC_URL: { key: 'publicUrl', kind: 'string' },
};

/** LDAP connection settings from the environment; the mapping comes from the config file. */
const LDAP_ENV_KEYS: Record<string, string> = {
  MSEC_LDAP_URL: 'url',
  MSEC_LDAP_BIND_DN: 'bindDn',
  MSEC_LDAP_BIND_PASSWORD_FILE: 'bindPasswordFile',
  MSEC_LDAP_CA_FILE: 'caFile',
};

function parseEnvValue(name: string, raw: string, kind: 'string' | 'int' | 'bool' | 'list'): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new MsecError('CONFIG_INVALID', `${name}: expected true or false, got "${raw}"`);
    case 'int': {
      if (!/^\d+$/.test(raw)) throw new MsecError('CONFIG_INVALID', `${name}: expected an integer, got "${raw}"`);
      return Number(raw);
    }
  }
}

export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const out: Record<string, unknown> = {};
  for (const [name, { key, kind }] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') out[key] = parseEnvValue(name, raw, kind);
  }
  const ldap = Object.fromEntries(
    Object.entries(LDAP_ENV_KEYS).flatMap(([name, key]) => (env[name] ? [[key, env[name]]] : [])),
  );
  if (Object.keys(ldap).length > 0) out.ldap = ldap;
  return out as ConfigInput;
}

export function configFromFile(path: string): ConfigInput {
  if (!existsSync(path)) throw new MsecError('CONFIG_INVALID', `config file not found: ${path}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new MsecError('CONFIG_INVALID', `config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MsecError('CONFIG_INVALID', `config file ${path} must hold a JSON object`);
  }
  return parsed as ConfigInput;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface LoadConfigOptions {
  flags?: ConfigInput;
  env?: NodeJS.ProcessEnv;
  file?: string;
}

/**
 * Merges defaults < config file < environment < flags, then validates the whole result so a
 * bad value is reported at start with the key that holds it.
 */
export function loadConfig({ flags = {}, env = process.env, file }: LoadConfigOptions = {}): Config {
  const configFile = file ?? env.MSEC_CONFIG;
  const fromFile = configFile ? configFromFile(configFile) : {};
  const fromEnv = configFromEnv(env);
  const layers = [fromFile, fromEnv, stripUndefined(flags)];
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG, auth: { ...DEFAULT_CONFIG.auth } };
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if ((k === 'auth' || k === 'ldap') && v && typeof v === 'object')
        merged[k] = { ...(merged[k] as object | undefined), ...v };
      else merged[k] = v;
    }
  }
  const issues = validationIssues(ConfigSchema, merged);
  if (issues.length > 0) {
    const lines = issues.map((i) => `${i.path.replace(/^\//, '').replace(/\//g, '.') || '(root)'}: ${i.message}`);
    throw new MsecError('CONFIG_INVALID', `invalid configuration: ${lines.join('; ')}`, { details: { issues } });
  }
  const config = merged as Config;
  if (Boolean(config.tlsCertFile) !== Boolean(config.tlsKeyFile)) {
    throw new MsecError('CONFIG_INVALID', 'invalid configuration: tlsCertFile and tlsKeyFile must be given together');
  }
  return { ...config, dataDir: resolve(config.dataDir) };
}
