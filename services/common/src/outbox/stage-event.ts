import type { PoolClient } from 'pg';
import { encodeEvent, eventKey, newMeta, type EventInit, type Topic } from '../events';
import { appendManyToOutbox, appendToOutbox, type OutboxEvent } from './outbox';

/** Wraps an event in its envelope (event id, time, producer) and encodes it for the outbox. */
function toOutboxEvent<T extends Topic>(producer: string, topic: T, event: Omit<EventInit<T>, 'meta'>, correlationId?: string): OutboxEvent {
  const meta = newMeta(producer, correlationId);
  const message = { ...event, meta } as EventInit<T>;
  return { eventId: meta.eventId, topic, key: eventKey(topic, message), payload: encodeEvent(topic, message), producer };
}

/**
 * Stages a typed event in the outbox of `schema`, inside the caller's transaction. The envelope
 * is filled in here so that no producer can forget it.
 */
export async function stageEvent<T extends Topic>(
  tx: PoolClient,
  schema: string,
  producer: string,
  topic: T,
  event: Omit<EventInit<T>, 'meta'>,
  correlationId?: string,
): Promise<string> {
  const row = toOutboxEvent(producer, topic, event, correlationId);
  await appendToOutbox(tx, schema, row);
  return row.eventId;
}

/** stageEvent for many events of one topic, written with one statement. */
export async function stageEvents<T extends Topic>(
  tx: PoolClient,
  schema: string,
  producer: string,
  topic: T,
  events: Omit<EventInit<T>, 'meta'>[],
): Promise<string[]> {
  const rows = events.map((event) => toOutboxEvent(producer, topic, event));
  await appendManyToOutbox(tx, schema, rows);
  return rows.map((r) => r.eventId);
}
