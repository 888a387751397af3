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

/** Postgres or Kafka being down: not the message's fault, so it must come back rather than be dead-lettered. */
export function isInfrastructureOutage(err: unknown): boolean {
  if (isVigilError(err)) return err.code === 'VIGIL_UNAVAILABLE';
  const code = (err as { code?: unknown }).code;
  // SQLSTATE class 08 (connection exception), 57P01..03 (server shutting down), socket errors.
  return typeof code === 'string' && (/^08/.test(code) || /^57P0[1-3]$/.test(code) || /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT)$/.test(code));
}
