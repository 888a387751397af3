import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.PG_BIN_DIR || '/usr/lib/postgresql/15/bin';

/**
 * A Postgres server of the test's own (initdb in a temp dir, its own port), so that a test can
 * restart or stop a real server, with every backend terminated (57P01) as `pg_ctlcluster restart`
 * does, without touching the machine's shared server that the rest of the suite uses. initdb
 * refuses to run as root, so as root it runs as the `postgres` user.
 */
export async function startPrivatePostgres(port: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    chownSync(dir, uid, Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
  }
  const pg = (args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', ...args], { timeout: 120_000 }) : run(args[0], args.slice(1), { timeout: 120_000 });
  const ctl = (command: string, extra: string[] = []) =>
    pg([path.join(BIN, 'pg_ctl'), command, '-D', data, '-w', '-t', '60', '-l', path.join(dir, 'server.log'), ...extra]);
  await pg([path.join(BIN, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const options = ['-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`];
  await ctl('start', options);
  return {
    url: (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    /** A fast restart: every connection is terminated, then the server is back on the same port. */
    restart: () => ctl('restart', ['-m', 'fast', ...options]),
    async stop() {
      await ctl('stop', ['-m', 'immediate']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
