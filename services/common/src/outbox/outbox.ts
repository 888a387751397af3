import type { PoolClient } from 'pg';

/** Header names every Vigil message carries, so consumers can dedupe and dead-letter without decoding. */
export const HEADER_EVENT_ID = 'vigil-event-id';
export const HEADER_PRODUCER = 'vigil-producer';

export interface OutboxEvent {
  eventId: string;
  topic: string;
  /** Kafka key: the entity whose events must stay in order (see the proto comments). */
  key: string;
  payload: Uint8Array;
  producer: string;
}

/**
 * Appends an event to the service's outbox. Must be called with the client of the transaction that
 * makes the state change the event announces: both commit or neither does.
 */
export async function appendToOutbox(client: PoolClient, schema: string, event: OutboxEvent): Promise<void> {
  await client.query(
    `INSERT INTO ${schema}.outbox (event_id, topic, msg_key, payload, headers) VALUES ($1, $2, $3, $4, $5)`,
    [
      event.eventId,
      event.topic,
      event.key,
      Buffer.from(event.payload),
      { [HEADER_EVENT_ID]: event.eventId, [HEADER_PRODUCER]: event.producer },
    ],
  );
}

/**
 * Appends many events in one statement (unnest), for writers that group many state changes into
 * one transaction (the inference audit's group commit): one round trip instead of one per event.
 */
export async function appendManyToOutbox(client: PoolClient, schema: string, events: OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  await client.query(
    `INSERT INTO ${schema}.outbox (event_id, topic, msg_key, payload, headers)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[])`,
    [
      events.map((e) => e.eventId),
      events.map((e) => e.topic),
      events.map((e) => e.key),
      events.map((e) => Buffer.from(e.payload)),
      events.map((e) => JSON.stringify({ [HEADER_EVENT_ID]: e.eventId, [HEADER_PRODUCER]: e.producer })),
    ],
  );
}
