/**
 * The small interface Vigil needs from a Kafka client. Everything else in the code base talks to
 * these types only, so that kafkajs (the current adapter) can be swapped without touching services.
 */
export interface OutgoingMessage {
  topic: string;
  /** Messages with the same key land on the same partition and so stay in order. */
  key: string | null;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface MessageProducer {
  /** Resolves once every message is acknowledged by the broker (acks=all). */
  send(messages: OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface MessageConsumer {
  /**
   * Subscribes and starts delivering messages one at a time. The offset of a message is committed
   * only after `handler` resolves; a handler that throws gets the message again.
   */
  start(topics: string[], handler: (message: IncomingMessage) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/**
 * Like MessageConsumer, but hands over what one fetch returned for one partition (in offset
 * order), so a handler can write many events with one statement. The partition's offset is
 * committed past the last message only after `handler` resolves; a handler that throws gets the
 * whole batch again.
 */
export interface BatchMessageConsumer {
  start(topics: string[], handler: (messages: IncomingMessage[]) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions?: number;
}

export interface KafkaAdmin {
  /** Creates missing topics (the broker runs with auto-create off). */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** Throws when the cluster cannot be reached. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  /** Where a new group starts; defaults to the earliest offset so nothing published is skipped. */
  fromBeginning?: boolean;
  /** How long the group waits for a silent member before handing its partitions to another. */
  sessionTimeoutMs?: number;
}

export interface MessageBus {
  producer(): MessageProducer;
  consumer(options: ConsumerOptions): MessageConsumer;
  batchConsumer(options: ConsumerOptions): BatchMessageConsumer;
  admin(): KafkaAdmin;
}
