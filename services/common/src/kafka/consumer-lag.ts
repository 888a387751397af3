import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { createPollingWorker } from '../runtime/polling-worker';
import type { ConsumerOptions, MessageBus } from './ports';

export interface ConsumerLagOptions {
  brokers: string[];
  clientId: string;
  registry: Registry;
  logger: Logger;
  /** How often lag is measured; 15 s matches the default scrape interval. */
  pollMs?: number;
}

export interface ConsumerLagMonitor {
  /** The same bus, except that every consumer started through it is measured. */
  observe(bus: MessageBus): MessageBus;
  start(): void;
  close(): Promise<void>;
}

interface Group {
  topics: Set<string>;
  fromBeginning: boolean;
}

/**
 * `vigil_kafka_consumer_lag{group,topic}`: messages on the broker that a consumer group of this
 * process has not committed yet (log end offset minus committed offset, summed over partitions).
 * Only groups started through `observe(bus)` are measured, so the gauge names what this process
 * consumes and nothing else. Measured with its own kafkajs admin client (listOffsets and
 * offsetFetch: two cheap requests per topic and group), off the request path.
 */
export function createConsumerLagMonitor(options: ConsumerLagOptions): ConsumerLagMonitor {
  const groups = new Map<string, Group>();
  const gauge = new Gauge({
    name: 'vigil_kafka_consumer_lag',
    help: 'Messages not yet consumed (committed) by a consumer group, per topic',
    labelNames: ['group', 'topic'],
    registers: [options.registry],
  });
  // kafkajs logs through console by default; failures reach the polling worker's log instead.
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 1 },
    logLevel: logLevel.NOTHING,
  });
  let admin: Admin | undefined;
  let connected: Promise<void> | undefined;

  async function connect(): Promise<Admin> {
    admin ??= kafka.admin();
    connected ??= admin.connect().catch((err) => {
      connected = undefined;
      throw err;
    });
    await connected;
    return admin;
  }

  async function measure(): Promise<void> {
    if (groups.size === 0) return;
    const client = await connect();
    const topics = new Set([...groups.values()].flatMap((g) => [...g.topics]));
    const ends = new Map<string, Map<number, { high: bigint; low: bigint }>>();
    for (const topic of topics) {
      const partitions = await client.fetchTopicOffsets(topic);
      ends.set(topic, new Map(partitions.map((p) => [p.partition, { high: BigInt(p.high), low: BigInt(p.low) }])));
    }
    for (const [groupId, group] of groups) {
      for (const { topic, partitions } of await client.fetchOffsets({ groupId, topics: [...group.topics] })) {
        let lag = 0n;
        for (const { partition, offset } of partitions) {
          const end = ends.get(topic)?.get(partition);
          if (!end) continue;
          const committed = BigInt(offset);
          // -1: nothing committed yet. A group reading from the beginning still owes everything
          // retained; one reading from the end owes nothing until it commits.
          if (committed < 0n) lag += group.fromBeginning ? end.high - end.low : 0n;
          else if (end.high > committed) lag += end.high - committed;
        }
        gauge.set({ group: groupId, topic }, Number(lag));
      }
    }
  }

  const worker = createPollingWorker(measure, { pollMs: options.pollMs ?? 15_000, logger: options.logger, name: 'consumer-lag' });

  return {
    observe(bus) {
      const track = (consumerOptions: ConsumerOptions, topics: string[]) => {
        const group = groups.get(consumerOptions.groupId) ?? { topics: new Set<string>(), fromBeginning: consumerOptions.fromBeginning ?? true };
        for (const topic of topics) group.topics.add(topic);
        groups.set(consumerOptions.groupId, group);
      };
      return {
        producer: () => bus.producer(),
        admin: () => bus.admin(),
        consumer(consumerOptions) {
          const consumer = bus.consumer(consumerOptions);
          return {
            async start(topics, handler) {
              await consumer.start(topics, handler);
              track(consumerOptions, topics);
            },
            close: () => consumer.close(),
          };
        },
        batchConsumer(consumerOptions) {
          const consumer = bus.batchConsumer(consumerOptions);
          return {
            async start(topics, handler) {
              await consumer.start(topics, handler);
              track(consumerOptions, topics);
            },
            close: () => consumer.close(),
          };
        },
      };
    },
    start: () => worker.start(),
    async close() {
      await worker.close();
      connected = undefined;
      await admin?.disconnect();
    },
  };
}
