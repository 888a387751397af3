import { dlqTopic, TOPICS } from '../events';
import type { TopicSpec } from '../kafka/ports';

/** Every topic Vigil uses, with its dead-letter twin; created explicitly (auto-create is off). */
export function allTopicSpecs(partitions = 3): TopicSpec[] {
  return Object.values(TOPICS).flatMap((topic) => [
    { topic, partitions },
    { topic: dlqTopic(topic), partitions: 1 },
  ]);
}
