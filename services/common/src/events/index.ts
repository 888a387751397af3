/**
 * Vigil Kafka event contracts.
 *
 * The message types live in proto/vigil/events/v1/*.proto; the code under
 * ./gen is generated from them (`npm run proto:gen`) and must not be edited by
 * hand. This file maps each Kafka topic to its message schema and wraps
 * protobuf binary encoding so producers and consumers cannot pair a topic with
 * the wrong message type.
 */
import { randomUUID } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { EventMetaSchema } from './gen/vigil/events/v1/envelope_pb';
import type { EventMeta } from './gen/vigil/events/v1/envelope_pb';
import { DatasetIngestedSchema, XrayReceivedSchema } from './gen/vigil/events/v1/ingestion_pb';
import { FeedbackReceivedSchema, PredictionMadeSchema } from './gen/vigil/events/v1/inference_pb';
import { AlertRaisedSchema } from './gen/vigil/events/v1/monitoring_pb';
import { TrainingCompletedSchema, TrainingRequestedSchema } from './gen/vigil/events/v1/training_pb';
import { ModelDeployedSchema } from './gen/vigil/events/v1/deployment_pb';

export * from './gen/vigil/events/v1/envelope_pb';
export * from './gen/vigil/events/v1/ingestion_pb';
export * from './gen/vigil/events/v1/inference_pb';
export * from './gen/vigil/events/v1/monitoring_pb';
export * from './gen/vigil/events/v1/training_pb';
export * from './gen/vigil/events/v1/deployment_pb';

/** Kafka topic names. The `.v1` suffix follows the proto package version. */
export const TOPICS = {
  datasetIngested: 'vigil.dataset.ingested.v1',
  xrayReceived: 'vigil.xray.received.v1',
  predictionMade: 'vigil.prediction.made.v1',
  feedbackReceived: 'vigil.feedback.received.v1',
  alertRaised: 'vigil.alert.raised.v1',
  trainingRequested: 'vigil.training.requested.v1',
  trainingCompleted: 'vigil.training.completed.v1',
  modelDeployed: 'vigil.model.deployed.v1',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** Topic -> message schema. `satisfies` makes a missing topic a compile error. */
export const TOPIC_SCHEMAS = {
  [TOPICS.datasetIngested]: DatasetIngestedSchema,
  [TOPICS.xrayReceived]: XrayReceivedSchema,
  [TOPICS.predictionMade]: PredictionMadeSchema,
  [TOPICS.feedbackReceived]: FeedbackReceivedSchema,
  [TOPICS.alertRaised]: AlertRaisedSchema,
  [TOPICS.trainingRequested]: TrainingRequestedSchema,
  [TOPICS.trainingCompleted]: TrainingCompletedSchema,
  [TOPICS.modelDeployed]: ModelDeployedSchema,
} as const satisfies Record<Topic, DescMessage>;

export type TopicSchemas = typeof TOPIC_SCHEMAS;
/** The message type carried on topic T, e.g. EventOf<'vigil.prediction.made.v1'> = PredictionMade. */
export type EventOf<T extends Topic> = MessageShape<TopicSchemas[T]>;
/** A message of topic T, or a plain object to build one from (`$typeName` not needed). */
export type EventInit<T extends Topic> = MessageInitShape<TopicSchemas[T]>;

const ALL_TOPICS: ReadonlySet<string> = new Set(Object.values(TOPICS));

export function isTopic(name: string): name is Topic {
  return ALL_TOPICS.has(name);
}

/** Dead-letter topic for messages of `topic` that could not be processed. */
export function dlqTopic<T extends Topic>(topic: T): `${T}.dlq` {
  return `${topic}.dlq`;
}

/** Serializes an event for `topic` to protobuf binary (the Kafka message value). */
export function encodeEvent<T extends Topic>(topic: T, message: EventInit<T>): Uint8Array {
  const schema: TopicSchemas[T] = TOPIC_SCHEMAS[topic];
  return toBinary(schema, create(schema, message));
}

/** Parses a Kafka message value (a Buffer is fine) read from `topic`. Throws on malformed bytes. */
export function decodeEvent<T extends Topic>(topic: T, bytes: Uint8Array): EventOf<T> {
  return fromBinary(TOPIC_SCHEMAS[topic], bytes);
}

/**
 * Kafka message key of an event: events with the same key land on the same
 * partition and are consumed in order. Matches the "Kafka key" comments in the
 * .proto files.
 */
export function eventKey<T extends Topic>(topic: T, message: EventInit<T>): string {
  // The generic parameter cannot narrow `message` per case, so read fields
  // through a loose view; the switch keeps the per-topic choice explicit.
  const m = message as Partial<Record<string, unknown>>;
  const str = (field: string): string => (typeof m[field] === 'string' ? (m[field] as string) : '');
  const t: Topic = topic;
  switch (t) {
    case TOPICS.datasetIngested:
      return str('datasetId');
    case TOPICS.xrayReceived:
      return str('imageId');
    case TOPICS.predictionMade:
    case TOPICS.alertRaised:
    case TOPICS.modelDeployed:
      return str('modelName');
    case TOPICS.feedbackReceived:
      return str('predictionId') || str('entityId');
    case TOPICS.trainingRequested:
    case TOPICS.trainingCompleted:
      return str('jobId');
  }
}

/**
 * Fresh envelope for a new event. `correlationId` should be copied from the
 * request or triggering event; when omitted the event starts its own chain
 * and its correlation id is its own event id.
 */
export function newMeta(producer: string, correlationId?: string): EventMeta {
  const eventId = randomUUID();
  return create(EventMetaSchema, {
    eventId,
    occurredAt: timestampNow(),
    producer,
    correlationId: correlationId || eventId,
  });
}
