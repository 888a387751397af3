import { createBatchInboxConsumer, createInboxConsumer, runService, TOPICS, type Closable } from '@vigil/common';
import { createAlertWebhook } from './adapters/http/alert-webhook';
import { createAlertMetrics } from './adapters/metrics/alert-metrics';
import { createQualityMetrics } from './adapters/metrics/quality-metrics';
import { createAlertDeliveryQueue } from './adapters/postgres/alert-delivery-queue';
import { createAlertStore } from './adapters/postgres/alert-store';
import { createFeedbackWriter } from './adapters/postgres/feedback-writer';
import { createPredictionStore } from './adapters/postgres/prediction-store';
import { createQualityReader } from './adapters/postgres/quality-reader';
import { buildApp } from './app';
import { ConfigSchema } from './config';
import { ALERT_CONSUMER, createAlertRaisedHandler } from './consumers/alert-raised';
import { createFeedbackReceivedHandler, FEEDBACK_CONSUMER } from './consumers/feedback-received';
import { handlePredictionsMade, PREDICTION_CONSUMER } from './consumers/prediction-made';
import { parseWindows } from './domain/windows';
import { createAlertDelivery } from './jobs/alert-delivery';
import { createQualityRefresh } from './jobs/quality-refresh';

/** Added to the webhook timeout for a claimed alert's lease: time to record the outcome. */
const LEASE_MARGIN_MS = 30_000;
const DAY_MS = 86_400_000;

void runService({
  name: 'monitoring',
  configSchema: ConfigSchema,
  async start(rt) {
    const { config, logger } = rt;
    const windows = parseWindows(config.MONITORING_WINDOWS);
    const churnWindowMs = config.CHURN_LABEL_WINDOW_DAYS * DAY_MS;
    const reader = createQualityReader(rt.pool);
    const refresh = createQualityRefresh({
      reader, pending: createPredictionStore(rt.pool), windows, observer: createQualityMetrics(rt.metrics), logger, pollMs: config.MONITORING_REFRESH_MS,
    });
    const writer = createFeedbackWriter(rt.pool, {
      onCommitted: () => {
        rt.relay.kick();
        refresh.kick();
      },
    });
    const app = await buildApp({
      logger, metrics: rt.metrics, apiKeys: rt.apiKeys, readiness: rt.readiness, alerts: createAlertStore(rt.pool),
      feedback: { writer, now: () => new Date(), churnWindowMs },
      performance: { reader, defaultWindow: windows.reduce((a, b) => (b.ms > a.ms ? b : a)) },
    });
    const inbox = (name: string) =>
      createInboxConsumer({ pool: rt.pool, schema: 'monitoring', name, consumer: rt.bus.consumer({ groupId: name }), producer: rt.producer, logger });
    const feedback = inbox(FEEDBACK_CONSUMER);
    await feedback.start([TOPICS.feedbackReceived], createFeedbackReceivedHandler({ entityWindowMs: churnWindowMs }));

    const predictions = createBatchInboxConsumer({
      pool: rt.pool, schema: 'monitoring', name: PREDICTION_CONSUMER, consumer: rt.bus.batchConsumer({ groupId: PREDICTION_CONSUMER }), producer: rt.producer, logger,
    });
    await predictions.start([TOPICS.predictionMade], handlePredictionsMade);
    refresh.start();

    const observer = createAlertMetrics(rt.metrics);
    const alerts = inbox(ALERT_CONSUMER);
    await alerts.start([TOPICS.alertRaised], createAlertRaisedHandler({ webhookEnabled: Boolean(config.ALERT_WEBHOOK_URL), observer }));
    const consumers: Closable[] = [feedback, predictions, refresh, alerts];
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
