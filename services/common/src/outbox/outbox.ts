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
