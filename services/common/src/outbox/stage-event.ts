import type { PoolClient } from 'pg';
import { encodeEvent, eventKey, newMeta, type EventInit, type Topic } from '../events';
import { appendToOutbox } from './outbox';

/**
 * Stages a typed event in the outbox of `schema`, inside the caller's transaction. The envelope
 * (event id, time, producer) is filled in here so that no producer can forget it.
 */
export async function stageEvent<T extends Topic>(
  tx: PoolClient,
  schema: string,
  producer: string,
  topic: T,
  event: Omit<EventInit<T>, 'meta'>,
  correlationId?: string,
): Promise<string> {
  const meta = newMeta(producer, correlationId);
  const message = { ...event, meta } as EventInit<T>;
  await appendToOutbox(tx, schema, {
    eventId: meta.eventId,
    topic,
    key: eventKey(topic, message),
    payload: encodeEvent(topic, message),
    producer,
  });
  return meta.eventId;
}
