import { Kafka, logLevel, Partitioners, type Admin, type IHeaders, type KafkaMessage, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { VigilError } from '../errors/vigil-error';
import type { BatchMessageConsumer, ConsumerOptions, IncomingMessage, KafkaAdmin, MessageBus, MessageConsumer, MessageProducer } from './ports';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
}

/** The kafkajs adapter behind the MessageBus port. */
export function createKafkaBus({ brokers, clientId, logger }: KafkaBusOptions): MessageBus {
  const log = logger.child({ component: 'kafka' });
  const kafka = new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    // Retries here stay short: the outbox relay and the consumers have their own loops, so a
    // broker outage must surface as an error rather than block a caller for minutes.
    retry: { initialRetryTime: 200, retries: 3, maxRetryTime: 2000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      const level = entry.level <= logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : 'debug';
      log[level]({ namespace: entry.namespace, ...extra }, message);
    },
  });

  return {
    producer: () => createProducer(kafka),
    consumer: (options) => createConsumer(kafka, options, log),
    batchConsumer: (options) => createBatchConsumer(kafka, options, log),
    admin: () => createAdmin(kafka.admin()),
  };
}

function createProducer(kafka: Kafka): MessageProducer {
  // Not kafkajs' idempotent mode: it needs unlimited retries, while the outbox wants a failed send
  // to surface quickly. Duplicates from a resend are absorbed by the consumers' inbox instead.
  // One request in flight keeps the order of a key's events; the Java-compatible partitioner
  // puts a key on the same partition any other Kafka client would.
  const producer = kafka.producer({
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let connecting: Promise<void> | undefined;
  const ensureConnected = () => (connecting ??= producer.connect().catch((err) => {
    connecting = undefined;
    throw err;
  }));
  producer.on(producer.events.DISCONNECT, () => { connecting = undefined; });
  return {
    async send(messages) {
      if (messages.length === 0) return;
      try {
        await ensureConnected();
        const byTopic = new Map<string, typeof messages>();
        for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, list]) => ({
            topic,
            messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
          })),
        });
      } catch (err) {
        throw new VigilError('VIGIL_UNAVAILABLE', `Kafka send failed: ${(err as Error).message}`, { cause: err });
      }
    },
    async close() {
      connecting = undefined;
      await producer.disconnect();
    },
  };
}

function kafkaConsumer(kafka: Kafka, options: ConsumerOptions) {
  const sessionTimeout = options.sessionTimeoutMs ?? 30000;
  return kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout,
    heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 6)),
    retry: { retries: 10 },
  });
}

function createConsumer(kafka: Kafka, options: ConsumerOptions, log: Logger): MessageConsumer {
  const consumer = kafkaConsumer(kafka, options);
  return {
    async start(topics, handler) {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        // Offsets are committed by hand, after the handler has recorded its work in Postgres.
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          await handler(toIncoming(topic, partition, message));
          await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        },
      });
      log.info({ groupId: options.groupId, topics }, 'consumer started');
    },
    async close() {
      await consumer.disconnect();
    },
  };
}

function createBatchConsumer(kafka: Kafka, options: ConsumerOptions, log: Logger): BatchMessageConsumer {
  const consumer = kafkaConsumer(kafka, options);
  return {
    async start(topics, handler) {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        // As above: the offset moves only after the handler has recorded the batch in Postgres.
        autoCommit: false,
        // Vigil's topics have three partitions: their batches are written side by side.
        partitionsConsumedConcurrently: 3,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          if (batch.isEmpty() || !isRunning() || isStale()) return;
          const { topic, partition } = batch;
          await handler(batch.messages.map((m) => toIncoming(topic, partition, m)));
          const last = batch.messages[batch.messages.length - 1].offset;
          resolveOffset(last);
          await consumer.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
          await heartbeat();
        },
      });
      log.info({ groupId: options.groupId, topics }, 'batch consumer started');
    },
    async close() {
      await consumer.disconnect();
    },
  };
}

function toIncoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value,
    headers: decodeHeaders(message.headers),
  };
}

function createAdmin(admin: Admin): KafkaAdmin {
  let connected: Promise<void> | undefined;
  const ensureConnected = () => (connected ??= admin.connect().catch((err) => {
    connected = undefined;
    throw err;
  }));
  return {
    async ensureTopics(specs) {
      await ensureConnected();
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({ topic: s.topic, numPartitions: s.partitions ?? 3, replicationFactor: 1 })),
      });
    },
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([ensureConnected().then(() => admin.describeCluster()), timeout]);
      } catch (err) {
        connected = undefined;
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      connected = undefined;
      await admin.disconnect();
    },
  };
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}
