import { Type, type Static, type TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { VigilError } from '../errors/vigil-error';

/**
 * Reads a service's configuration from the environment once, at start. A wrong or missing value
 * throws a VIGIL_CONFIG error whose message names the variable, so `main.ts` can print it and exit
 * before anything is opened. (fastify/demo env.ts: config is read once and passed down.)
 */
export function loadConfig<T extends TObject>(schema: T, env: NodeJS.ProcessEnv): Static<T> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    // An empty variable is treated as unset so that `FOO= npm start` falls back to the default.
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const withDefaults = Value.Default(schema, raw);
  const converted = Value.Convert(schema, withDefaults);
  const first = Value.Errors(schema, converted).First();
  if (first) {
    const name = first.path.replace(/^\//, '').split('/')[0] || '(root)';
    const shown = raw[name] === undefined ? 'it is missing' : `got ${JSON.stringify(raw[name])}`;
    throw new VigilError('VIGIL_CONFIG', `Invalid configuration: ${name} ${first.message} (${shown})`, {
      details: { variable: name },
    });
  }
  const value = converted as Static<T>;
  checkUrls(schema, value as Record<string, unknown>);
  return value;
}

/** TypeBox's `format` is not enforced without registering formats; URLs are checked here by parsing. */
function checkUrls(schema: TObject, value: Record<string, unknown>): void {
  for (const [key, prop] of Object.entries(schema.properties)) {
    const protocols = (prop as { 'x-protocols'?: string[] })['x-protocols'];
    if (!protocols || value[key] === undefined) continue;
    let url: URL;
    try {
      url = new URL(String(value[key]));
    } catch {
      throw new VigilError('VIGIL_CONFIG', `Invalid configuration: ${key} is not a valid URL`, { details: { variable: key } });
    }
    if (!protocols.includes(url.protocol) || url.hostname === '') {
      throw new VigilError(
        'VIGIL_CONFIG',
        `Invalid configuration: ${key} must be a ${protocols.join(' or ')}//host/... URL (got protocol ${url.protocol})`,
        { details: { variable: key } },
      );
    }
  }
}

/** A URL-valued variable restricted to the given protocols, e.g. ['postgres:', 'postgresql:']. */
export function UrlVar(protocols: string[], options: { default?: string; description?: string } = {}) {
  return Type.String({ minLength: 1, ...options, 'x-protocols': protocols });
}

/** The variables every Vigil service reads. Each service extends this with its own. */
export const BaseConfigSchema = Type.Object({
  DATABASE_URL: UrlVar(['postgres:', 'postgresql:'], {
    default: 'postgres://postgres@127.0.0.1:5432/vigil',
    description: 'Postgres connection string',
  }),
  KAFKA_BROKERS: Type.String({ minLength: 1, default: '127.0.0.1:19092', pattern: '^[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*$' }),
  HOST: Type.String({ default: '127.0.0.1' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  VIGIL_ADMIN_KEY: Type.Optional(Type.String({ minLength: 16 })),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60000, default: 9000 }),
  OUTBOX_POLL_MS: Type.Integer({ minimum: 10, maximum: 60000, default: 500 }),
  /** How long a service reuses an API key check; a key revoked elsewhere works at most this long. */
  AUTH_CACHE_TTL_MS: Type.Integer({ minimum: 0, maximum: 60000, default: 5000 }),
  /**
   * Days inbox rows (and sent outbox rows) are kept; past Kafka's retention (7 days by default) an
   * event cannot be redelivered, so its dedupe row has no use. Keep it above the topics' retention.
   */
  MESSAGING_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 14 }),
});

export function serviceConfigSchema(defaultPort: number) {
  return Type.Composite([
    BaseConfigSchema,
    Type.Object({ PORT: Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort }) }),
  ]);
}

export type BaseConfig = Static<ReturnType<typeof serviceConfigSchema>>;
