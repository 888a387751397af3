/**
 * `npm run keys -- create <client> <scope,scope>` | `list` | `revoke <id>`
 * Manages API keys in the platform's `iam` schema. The key itself is printed once, at creation.
 */
import { createApiKeyStore, createPool, SCOPES } from '@vigil/common';

const USAGE = `usage: npm run keys -- create <client-name> <scope[,scope...]> | list | revoke <key-id>
scopes: ${SCOPES.join(', ')}, or * for all`;

async function main(args: string[]): Promise<number> {
  const pool = createPool({ connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/vigil', applicationName: 'vigil-keys' });
  const keys = createApiKeyStore(pool);
  try {
    const [command, ...rest] = args;
    if (command === 'create' && rest.length === 2) {
      const { record, key } = await keys.create(rest[0], rest[1].split(',').map((s) => s.trim()).filter(Boolean));
      console.log(`created key ${record.id} for ${record.clientName} with scopes ${record.scopes.join(',')}`);
      console.log(`key (shown once): ${key}`);
      return 0;
    }
    if (command === 'list' && rest.length === 0) {
      for (const k of await keys.list()) {
        const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active';
        console.log([k.id, k.clientName, `${k.keyPrefix}…`, k.scopes.join(','), k.createdAt.toISOString(), state].join('\t'));
      }
      return 0;
    }
    if (command === 'revoke' && rest.length === 1) {
      const k = await keys.revoke(rest[0]);
      console.log(`revoked key ${k.id} of ${k.clientName}`);
      return 0;
    }
    console.error(USAGE);
    return 2;
  } catch (err) {
    console.error(`keys: ${(err as Error).message}`);
    return 1;
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
