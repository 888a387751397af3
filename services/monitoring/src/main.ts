import { createInboxConsumer, runService, TOPICS, type Closable } from '@vigil/common';
import { createAlertWebhook } from './adapters/http/alert-webhook';
import { createAlertMetrics } from './adapters/metrics/alert-metrics';
import { createAlertDeliveryQueue } from './adapters/postgres/alert-delivery-queue';
import { createAlertStore } from './adapters/postgres/alert-store';
import { buildApp } from './app';
import { ConfigSchema } from './config';
import { ALERT_CONSUMER, createAlertRaisedHandler } from './consumers/alert-raised';
import { FEEDBACK_CONSUMER, handleFeedbackReceived } from './consumers/feedback-received';
import { createAlertDelivery } from './jobs/alert-delivery';

/** Added to the webhook timeout for a claimed alert's lease: time to record the outcome. */
const LEASE_MARGIN_MS = 30_000;

void runService({
  name: 'monitoring',
  configSchema: ConfigSchema,
  async start(rt) {
    const { config, logger } = rt;
    const app = await buildApp({ logger, metrics: rt.metrics, apiKeys: rt.apiKeys, readiness: rt.readiness, alerts: createAlertStore(rt.pool) });
    const inbox = (name: string) =>
      createInboxConsumer({ pool: rt.pool, schema: 'monitoring', name, consumer: rt.bus.consumer({ groupId: name }), producer: rt.producer, logger });
    const feedback = inbox(FEEDBACK_CONSUMER);
    await feedback.start([TOPICS.feedbackReceived], handleFeedbackReceived);

    const observer = createAlertMetrics(rt.metrics);
    const alerts = inbox(ALERT_CONSUMER);
    await alerts.start([TOPICS.alertRaised], createAlertRaisedHandler({ webhookEnabled: Boolean(config.ALERT_WEBHOOK_URL), observer }));
    const consumers: Closable[] = [feedback, alerts];
    if (config.ALERT_WEBHOOK_URL) {
      const delivery = createAlertDelivery({
        queue: createAlertDeliveryQueue(rt.pool),
        webhook: createAlertWebhook({ url: config.ALERT_WEBHOOK_URL, timeoutMs: config.ALERT_WEBHOOK_TIMEOUT_MS, secret: config.ALERT_WEBHOOK_SECRET }),
        policy: {
          maxAttempts: config.ALERT_WEBHOOK_MAX_ATTEMPTS,
          backoffBaseMs: config.ALERT_WEBHOOK_BACKOFF_MS,
          backoffMaxMs: config.ALERT_WEBHOOK_BACKOFF_MAX_MS,
        },
        random: Math.random,
        observer,
        logger,
        pollMs: config.ALERT_DELIVERY_POLL_MS,
        leaseMs: config.ALERT_WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS,
      });
      delivery.start();
      consumers.push(delivery);
    } else {
      logger.info('ALERT_WEBHOOK_URL not set: alerts are stored with delivery disabled');
    }
    return { app, consumers };
  },
});
