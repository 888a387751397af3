import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { isInfrastructureOutage } from '../errors/outage';
import { isVigilError } from '../errors/vigil-error';
import type { IncomingMessage, MessageProducer } from '../kafka/ports';

export const dlqTopicFor = (topic: string) => `${topic}.dlq`;

/** What a Vigil event id looks like (the `vigil-event-id` header). */
export const EVENT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sends `message` unchanged to `<topic>.dlq` with why it failed and where it came from. Shared by
 * the one-message and the batch inbox consumers, so both dead-letter the same way.
 */
export async function sendToDeadLetter(
  producer: MessageProducer,
  consumerName: string,
  message: IncomingMessage,
  err: unknown,
  attempts: number,
): Promise<void> {
  const error = err instanceof Error ? err : new Error(String(err));
  await producer.send([
    {
      topic: dlqTopicFor(message.topic),
      key: message.key,
      value: message.value ?? Buffer.alloc(0),
      headers: {
        ...message.headers,
        'dlq-error': error.message.slice(0, 2000),
        'dlq-error-code': isVigilError(error) ? error.code : 'VIGIL_INTERNAL',
        'dlq-consumer': consumerName,
        'dlq-source-topic': message.topic,
        'dlq-source-partition': String(message.partition),
        'dlq-source-offset': message.offset,
        'dlq-attempts': String(attempts),
      },
    },
  ]);
}

export interface RetryRules {
  maxAttempts: number;
  retryDelayMs: number;
  log: Logger;
  /** Sends the message to its dead-letter topic with the error and the attempts made. */
  deadLetter: (err: unknown, attempts: number) => Promise<void>;
}

/**
 * The retry and dead-letter rules of both inbox consumers: an outage is thrown (the offset is not
 * committed, the message comes back); a retryable error is retried with a growing delay up to
 * maxAttempts; anything else, or a retryable error that keeps failing, is dead-lettered. If the
 * dead-letter send fails, that error is thrown too: a poison message is never silently dropped.
 */
export async function retryOrDeadLetter(run: () => Promise<void>, rules: RetryRules): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run();
      return;
    } catch (err) {
      if (isInfrastructureOutage(err)) throw err;
      const retryable = !isVigilError(err) || err.canRetry;
      if (retryable && attempt < rules.maxAttempts) {
        rules.log.warn({ err, attempt }, 'event processing failed; retrying');
        await sleep(rules.retryDelayMs * attempt);
        continue;
      }
      rules.log.error({ err, attempt }, 'event processing failed; dead-lettering');
      await rules.deadLetter(err, attempt);
      return;
    }
  }
}
