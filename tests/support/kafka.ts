import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { createKafkaBus, type IncomingMessage, type MessageBus } from '@vigil/common';

const run = promisify(execFile);
export const REPO_ROOT = path.resolve(__dirname, '../..');
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS || '127.0.0.1:19092';
export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL || 'silent' });

export function testBus(clientId = 'vigil-test'): MessageBus {
  return createKafkaBus({ brokers: KAFKA_BROKERS.split(','), clientId, logger: silentLogger });
}

export const uniqueName = (prefix: string) => `${prefix}.${randomBytes(5).toString('hex')}`;

/** Stops or starts the real broker through the project's own script. */
export async function kafkaScript(command: 'start' | 'stop'): Promise<void> {
  await run('bash', [path.join(REPO_ROOT, 'scripts/kafka'), command], { cwd: REPO_ROOT, timeout: 120_000 });
}

/** Collects what a consumer group reads from `topics`, for assertions. */
export async function collect(bus: MessageBus, topics: string[]) {
  const received: IncomingMessage[] = [];
  const consumer = bus.consumer({ groupId: uniqueName('test.collector') });
  await consumer.start(topics, async (m) => {
    received.push(m);
  });
  return { received, close: () => consumer.close() };
}

/** Polls until `predicate` holds or the time is up; returns the last value seen. */
export async function waitFor<T>(probe: () => Promise<T> | T, predicate: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (predicate(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}
