/**
 * `npm start`: the whole stack on this machine. Kafka (scripts/kafka), migrations on DATABASE_URL
 * (created if missing), an admin key on first run, then the four services. Ctrl-C or SIGTERM stops
 * the services gracefully, then the broker if this command started it.
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

async function waitReady(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 120 && child.exitCode === null; i++) {
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
      if (c.exitCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    })));
    if (!wasRunning) kafka('stop');
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  for (const svc of SERVICES) {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, `services/${svc.name}/src/main.ts`)], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL, KAFKA_BROKERS, HOST, PORT: svc.port },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => {
      if (!stopping) {
        say(`${svc.name} exited with code ${code}; stopping the stack`);
        void stop('service exit');
      }
    });
    children.push(child);
  }
  for (const [i, svc] of SERVICES.entries()) {
    const base = `http://${HOST}:${svc.port}`;
    if (!(await waitReady(`${base}/readyz`, children[i]))) throw new Error(`${svc.name} did not become ready`);
    say(`${svc.name.padEnd(10)} ${base}  (docs ${base}/docs, metrics ${base}/metrics)`);
  }
  say('all services ready; Ctrl-C stops everything');
}

main().catch((err: Error) => {
  say(`start failed: ${err.message}`);
  process.kill(process.pid, 'SIGTERM');
});
