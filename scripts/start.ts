/**
 * `npm start`: the whole stack on this machine. Kafka (scripts/kafka), migrations on DATABASE_URL
 * (created if missing), an admin key on first run, then the four services, each restarted with backoff
 * if it exits on its own. Ctrl-C or SIGTERM stops the services gracefully, then the broker if this
 * command started it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createApiKeyStore, createPool, migrateAll } from '@vigil/common';

const ROOT = path.resolve(__dirname, '..');
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/vigil';
const KAFKA_PORT = process.env.KAFKA_PORT || '19092';
const KAFKA_BROKERS = process.env.KAFKA_BROKERS || `127.0.0.1:${KAFKA_PORT}`;
const HOST = process.env.HOST || '127.0.0.1';
const SERVICES = [
  { name: 'inference', port: process.env.INFERENCE_PORT || '8080' },
  { name: 'ingestion', port: process.env.INGESTION_PORT || '8081' },
  { name: 'training', port: process.env.TRAINING_PORT || '8082' },
  { name: 'monitoring', port: process.env.MONITORING_PORT || '8083' },
];

const STABLE_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;
const say = (line: string) => process.stderr.write(`vigil: ${line}\n`);
const kafka = (command: string) => spawnSync('bash', [path.join(ROOT, 'scripts/kafka'), command], { stdio: 'inherit', env: { ...process.env, KAFKA_PORT } });

async function ensureAdminKey(): Promise<void> {
  if (process.env.VIGIL_ADMIN_KEY) {
    say('admin key: VIGIL_ADMIN_KEY (registered by each service at start)');
    return;
  }
  const pool = createPool({ connectionString: DATABASE_URL, applicationName: 'vigil-start' });
  try {
    const keys = createApiKeyStore(pool);
    const admins = (await keys.list()).filter((k) => k.clientName === 'admin' && !k.revokedAt);
    if (admins.length > 0) {
      say(`admin key: exists (${admins[0].keyPrefix}…); make more with \`npm run keys -- create <client> <scopes>\``);
      return;
    }
    const { key } = await keys.create('admin', ['*']);
    say(`admin key (shown once, keep it): ${key}`);
  } finally {
    await pool.end();
  }
}

/** Polls /readyz for up to a minute; a service that exits meanwhile is being restarted, so keep polling. */
async function waitReady(url: string): Promise<boolean> {
  for (let i = 0; i < 120; i++) {
    const status = await fetch(url).then((r) => r.status, () => 0);
    if (status === 200) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function main(): Promise<void> {
  const wasRunning = spawnSync('bash', [path.join(ROOT, 'scripts/kafka'), 'status'], { env: { ...process.env, KAFKA_PORT } }).status === 0;
  if (kafka('start').status !== 0) throw new Error('Kafka did not start (see above)');
  await migrateAll({ databaseUrl: DATABASE_URL, log: say });
  await ensureAdminKey();

  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping services`);
    await Promise.all(children.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    })));
    if (!wasRunning) kafka('stop');
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  // A service that exits on its own is started again, as Kubernetes restarts a pod: after 1 s,
  // doubling up to 30 s while it keeps failing, back to 1 s once it has run for a minute. One
  // service down never takes the others (or the broker) with it.
  const spawnService = (i: number, attempt = 0) => {
    const svc = SERVICES[i];
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, `services/${svc.name}/src/main.ts`)], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL, KAFKA_BROKERS, HOST, PORT: svc.port },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      const next = Date.now() - started > STABLE_MS ? 0 : attempt + 1;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, next - 1));
      say(`${svc.name} exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`}); restarting it in ${delay / 1000} s (restart ${next || 1})`);
      setTimeout(() => {
        if (stopping) return;
        spawnService(i, next);
        void waitReady(`http://${HOST}:${svc.port}/readyz`).then((ok) => ok && say(`${svc.name} is back`));
      }, delay).unref();
    });
    children[i] = child;
  };
  for (let i = 0; i < SERVICES.length; i++) spawnService(i);
  for (const svc of SERVICES) {
    const base = `http://${HOST}:${svc.port}`;
    if (!(await waitReady(`${base}/readyz`))) throw new Error(`${svc.name} did not become ready`);
    say(`${svc.name.padEnd(10)} ${base}  (docs ${base}/docs, metrics ${base}/metrics)`);
  }
  say('all services ready; Ctrl-C stops everything');
}

main().catch((err: Error) => {
  say(`start failed: ${err.message}`);
  process.kill(process.pid, 'SIGTERM');
});
