import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { VigilError } from '../errors/vigil-error';
import { isKnownScope, type AuthenticatedClient } from './scopes';

export interface ApiKeyRecord {
  id: string;
  clientName: string;
  keyPrefix: string;
  scopes: string[];
  createdAt: Date;
  revokedAt: Date | null;
}

export interface ApiKeyStore {
  /** The client a key belongs to, or null for an unknown or revoked key. */
  authenticate(key: string): Promise<AuthenticatedClient | null>;
  create(clientName: string, scopes: string[]): Promise<{ record: ApiKeyRecord; key: string }>;
  /** Registers a key chosen by the operator (VIGIL_ADMIN_KEY); idempotent. */
  register(key: string, clientName: string, scopes: string[]): Promise<void>;
  list(): Promise<ApiKeyRecord[]>;
  revoke(id: string): Promise<ApiKeyRecord>;
}

const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
const prefixOf = (key: string) => key.slice(0, 8);

export interface ApiKeyStoreOptions {
  /**
   * How long an authentication result is reused. Every request authenticates, and a Postgres
   * round trip per request measurably capped scoring throughput; the price is that a key revoked
   * by another process keeps working for at most this long. 0 disables the cache.
   */
  cacheTtlMs?: number;
}

const CACHE_MAX = 10_000;

/** Postgres adapter for API keys (schema `iam`, owned by the platform). Keys are stored hashed. */
export function createApiKeyStore(pool: Pool, options: ApiKeyStoreOptions = {}): ApiKeyStore {
  const ttl = options.cacheTtlMs ?? 0;
  const cache = new Map<string, { client: AuthenticatedClient | null; until: number }>();
  const toRecord = (r: Record<string, unknown>): ApiKeyRecord => ({
    id: r.id as string,
    clientName: r.client_name as string,
    keyPrefix: r.key_prefix as string,
    scopes: r.scopes as string[],
    createdAt: r.created_at as Date,
    revokedAt: (r.revoked_at as Date | null) ?? null,
  });

  function checkScopes(scopes: string[]): void {
    const unknown = scopes.filter((s) => !isKnownScope(s));
    if (scopes.length === 0 || unknown.length > 0) {
      throw new VigilError('VIGIL_VALIDATION', unknown.length ? `Unknown scopes: ${unknown.join(', ')}` : 'At least one scope is required');
    }
  }

  return {
    async authenticate(key) {
      const hash = hashKey(key);
      const cached = cache.get(hash);
      if (cached && cached.until > Date.now()) return cached.client;
      const { rows } = await pool
        .query('SELECT id, client_name, scopes FROM iam.api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [hash])
        .catch((err: unknown) => {
          throw new VigilError('VIGIL_UNAVAILABLE', 'Database unavailable', { cause: err });
        });
      const row = rows[0];
      const client: AuthenticatedClient | null = row ? { keyId: row.id, name: row.client_name, scopes: row.scopes } : null;
      if (ttl > 0) {
        if (cache.size >= CACHE_MAX) cache.clear();
        cache.set(hash, { client, until: Date.now() + ttl });
      }
      return client;
    },
    async create(clientName, scopes) {
      checkScopes(scopes);
      const key = `vgl_${randomBytes(32).toString('base64url')}`;
      const { rows } = await pool.query(
        `INSERT INTO iam.api_keys (id, client_name, key_hash, key_prefix, scopes) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [randomUUID(), clientName, hashKey(key), prefixOf(key), scopes],
      );
      return { record: toRecord(rows[0]), key };
    },
    async register(key, clientName, scopes) {
      checkScopes(scopes);
      await pool.query(
        `INSERT INTO iam.api_keys (id, client_name, key_hash, key_prefix, scopes) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (key_hash) DO NOTHING`,
        [randomUUID(), clientName, hashKey(key), prefixOf(key), scopes],
      );
    },
    async list() {
      const { rows } = await pool.query('SELECT * FROM iam.api_keys ORDER BY created_at');
      return rows.map(toRecord);
    },
    async revoke(id) {
      const { rows } = await pool.query(
        'UPDATE iam.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id::text = $1 RETURNING *',
        [id],
      );
      if (!rows[0]) throw new VigilError('VIGIL_NOT_FOUND', `No API key with id ${id}`);
      cache.clear();
      return toRecord(rows[0]);
    },
  };
}
