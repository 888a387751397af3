import { decodeEvent, TOPICS, type MessageConsumer } from '@vigil/common';
import type { Logger } from 'pino';

/**
 * vigil.model.deployed.v1 → reload the live versions. Every replica must see every deployment, so
 * each process reads with a group of its own and no inbox: the reaction (sync with the registry)
 * is idempotent, and a missed event is caught by the periodic resync.
 */
export function createModelDeployedConsumer(consumer: MessageConsumer, sync: () => Promise<unknown>, logger: Logger) {
  const log = logger.child({ consumer: 'model-deployed' });
  return {
    start: () =>
      consumer.start([TOPICS.modelDeployed], async (message) => {
        try {
          const event = message.value ? decodeEvent(TOPICS.modelDeployed, message.value) : null;
          log.info({ modelId: event?.modelName, version: event?.version, action: event?.action }, 'model deployed; syncing');
          await sync();
        } catch (err) {
          log.error({ err }, 'sync after model-deployed failed; the periodic resync will retry');
        }
      }),
    close: () => consumer.close(),
  };
}
