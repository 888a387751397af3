import { createInboxConsumer, runService, TOPICS } from '@vigil/common';
import { buildApp } from './app';
import { ConfigSchema } from './config';
import { FEEDBACK_CONSUMER, handleFeedbackReceived } from './consumers/feedback-received';

void runService({
  name: 'monitoring',
  configSchema: ConfigSchema,
  async start(rt) {
    const app = await buildApp({ logger: rt.logger, metrics: rt.metrics, apiKeys: rt.apiKeys, readiness: rt.readiness });
    const feedback = createInboxConsumer({
      pool: rt.pool,
      schema: 'monitoring',
      name: FEEDBACK_CONSUMER,
      consumer: rt.bus.consumer({ groupId: FEEDBACK_CONSUMER }),
      producer: rt.producer,
      logger: rt.logger,
    });
    await feedback.start([TOPICS.feedbackReceived], handleFeedbackReceived);
    return { app, consumers: [feedback] };
  },
});
