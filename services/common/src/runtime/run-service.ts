import type { TObject, Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { createApiKeyStore, type ApiKeyStore } from '../auth/api-key-store';
import { ALL_SCOPES } from '../auth/scopes';
import { loadConfig, type BaseConfig } from '../config/load-config';
import { isVigilError } from '../errors/vigil-error';
import type { VigilApp } from '../http/create-service-app';
import type { ReadinessCheck } from '../http/plugins/health';
import { createConsumerLagMonitor } from '../kafka/consumer-lag';
import { createKafkaBus } from '../kafka/kafkajs-bus';
import type { KafkaAdmin, MessageBus, MessageProducer } from '../kafka/ports';
import { createLogger } from '../logging/logger';
import { createMetricsRegistry } from '../metrics/registry';
import { createMessagingRetention } from '../outbox/messaging-retention';
import { createOutboxRelay, type OutboxRelay } from '../outbox/outbox-relay';
import { createPool, pingPostgres } from '../postgres/pool';
import { allTopicSpecs } from './topics';

/** Everything main.ts creates and hands to buildApp and the consumers. */
export interface ServiceRuntime<C extends BaseConfig> {
  config: C;
  logger: Logger;
  pool: Pool;
  bus: MessageBus;
  producer: MessageProducer;
  admin: KafkaAdmin;
  apiKeys: ApiKeyStore;
  metrics: Registry;
  relay: OutboxRelay;
  readiness: Record<string, ReadinessCheck>;
}

export interface Closable {
  close(): Promise<void>;
}

export interface RunServiceOptions<S extends TObject> {
  /** Also the Postgres schema the service owns and the Kafka client id. */
  name: string;
  configSchema: S;
  start(runtime: ServiceRuntime<Static<S> & BaseConfig>): Promise<{ app: VigilApp; consumers?: Closable[] }>;
}

/**
 * The life of a service process: validate config (exit 1 naming the bad variable), open adapters,
 * build the app, listen; on SIGTERM/SIGINT stop accepting, let in-flight requests finish, stop
 * consumers, flush the outbox, close Kafka and Postgres, and exit — forced after SHUTDOWN_TIMEOUT_MS.
 */
export async function runService<S extends TObject>(options: RunServiceOptions<S>): Promise<void> {
  let config: Static<S> & BaseConfig;
  try {
    config = loadConfig(options.configSchema, process.env) as Static<S> & BaseConfig;
  } catch (err) {
    process.stderr.write(`vigil-${options.name}: ${isVigilError(err) ? err.message : String(err)}\n`);
    process.exit(1);
  }

  const logger = createLogger(options.name, config.LOG_LEVEL);
  const pool = createPool({ connectionString: config.DATABASE_URL, applicationName: `vigil-${options.name}`, role: `vigil_${options.name}` });
  const metrics = createMetricsRegistry(options.name);
  const brokers = config.KAFKA_BROKERS.split(',');
  // Every consumer a service starts through runtime.bus gets vigil_kafka_consumer_lag.
  const lag = createConsumerLagMonitor({ brokers, clientId: `vigil-${options.name}-lag`, registry: metrics, logger });
  const bus = lag.observe(createKafkaBus({ brokers, clientId: `vigil-${options.name}`, logger }));
  const producer = bus.producer();
  const admin = bus.admin();
  const apiKeys = createApiKeyStore(pool, { cacheTtlMs: config.AUTH_CACHE_TTL_MS });
  const relay = createOutboxRelay({ pool, schema: options.name, producer, logger, pollMs: config.OUTBOX_POLL_MS, metrics });
  const retention = createMessagingRetention({ pool, schema: options.name, retentionMs: config.MESSAGING_RETENTION_DAYS * 86_400_000, logger });
  const runtime: ServiceRuntime<Static<S> & BaseConfig> = {
    config, logger, pool, bus, producer, admin, apiKeys, relay, metrics,
    readiness: { postgres: () => pingPostgres(pool), kafka: () => admin.ping() },
  };

  let app: VigilApp | undefined;
  let consumers: Closable[] = [];
  let closing = false;

  async function shutdown(signal: string): Promise<void> {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    const took: Record<string, number> = {};
    const step = async (what: string, fn: () => Promise<unknown>) => {
      const t0 = Date.now();
      try {
        await fn();
      } catch (err) {
        logger.warn({ err }, `shutdown: ${what} failed`);
      }
      took[what] = Date.now() - t0;
    };
    // fastify's close() stops accepting, answers new requests on kept-alive sockets with 503
    // problem+json and waits for in-flight requests to finish.
    if (app) await step('http', () => app!.close());
    // Each Kafka consumer leaves its group on its own connection (a second or two each): in
    // parallel, so five consumers do not add up to the whole shutdown budget.
    await step('consumers', () => Promise.all([
      ...consumers.map((c) => c.close().catch((err) => logger.warn({ err }, 'shutdown: consumer failed'))),
      lag.close(), retention.close(),
    ]));
    await step('outbox flush', () => relay.stop());
    await step('kafka producer', () => producer.close());
    await step('kafka admin', () => admin.close());
    await step('postgres', () => pool.end());
    logger.info({ tookMs: took }, 'shut down');
    logger.flush();
    process.exit(0);
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  try {
    if (config.VIGIL_ADMIN_KEY) await apiKeys.register(config.VIGIL_ADMIN_KEY, 'bootstrap-admin', [ALL_SCOPES]);
    await admin.ensureTopics(allTopicSpecs());
    relay.start();
    retention.start();
    const started = await options.start(runtime);
    app = started.app;
    consumers = started.consumers ?? [];
    lag.start();
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (err) {
    logger.fatal({ err }, 'service failed to start');
    logger.flush();
    process.exit(1);
  }
}
