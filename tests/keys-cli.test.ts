import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createApiKeyStore } from '@vigil/common';
import { createTestDatabase, type TestDatabase } from './support/database';
import { REPO_ROOT } from './support/kafka';

const run = promisify(execFile);

describe('npm run keys', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const keys = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/keys.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: db.url },
    });

  test('creates a key that authenticates with its scopes, lists it without the secret, and revokes it', async () => {
    const created = await keys('create', 'pacs-east', 'xray:submit,feedback:write');
    const key = /key \(shown once\): (\S+)/.exec(created.stdout)![1];
    const id = /created key (\S+) for pacs-east/.exec(created.stdout)![1];
    const store = createApiKeyStore(db.pool);
    expect(await store.authenticate(key)).toEqual({ keyId: id, name: 'pacs-east', scopes: ['xray:submit', 'feedback:write'] });

    const listed = await keys('list');
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('active');
    expect(listed.stdout).not.toContain(key);

    await keys('revoke', id);
    expect(await store.authenticate(key)).toBeNull();
    expect((await keys('list')).stdout).toMatch(new RegExp(`${id}.*revoked`));
  });

  test('refuses unknown scopes and bad usage with a non-zero exit', async () => {
    const unknown = await keys('create', 'x', 'root:everything').catch((e) => e);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Unknown scopes: root:everything/);
    const usage = await keys('frobnicate').catch((e) => e);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage:/);
    const missing = await keys('revoke', '00000000-0000-0000-0000-000000000000').catch((e) => e);
    expect(missing.stderr).toMatch(/No API key/);
  });
});
