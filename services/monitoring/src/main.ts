import { randomUUID } from 'node:crypto';
import { createBatchInboxConsumer, createInboxConsumer, runService, TOPICS, type Closable } from '@vigil/common';
import { createAlertWebhook } from './adapters/http/alert-webhook';
import { createAlertMetrics } from './adapters/metrics/alert-metrics';
import { createDriftMetrics } from './adapters/metrics/drift-metrics';
import { createQualityMetrics } from './adapters/metrics/quality-metrics';
import { createAlertDeliveryQueue } from './adapters/postgres/alert-delivery-queue';
import { createAlertStore } from './adapters/postgres/alert-store';
import { createBreachStore } from './adapters/postgres/breach-store';
import { createDriftReader } from './adapters/postgres/drift-reader';
import { createFeedbackWriter } from './adapters/postgres/feedback-writer';
import { createPolicyStore } from './adapters/postgres/policy-store';
import { createPredictionStore } from './adapters/postgres/prediction-store';
import { createQualityReader } from './adapters/postgres/quality-reader';
import { createTaskConfigs } from './adapters/postgres/task-configs';
import { createReviewQueue, createReviewStore } from './adapters/postgres/review-store';
import { createServingVersions } from './adapters/postgres/serving-versions';
import { createUsageReader } from './adapters/postgres/usage-reader';
import { buildApp } from './app';
import { ConfigSchema } from './config';
import { ALERT_CONSUMER, createAlertRaisedHandler } from './consumers/alert-raised';
import { createFeedbackReceivedHandler, FEEDBACK_CONSUMER } from './consumers/feedback-received';
import { handlePredictionsMade, PREDICTION_CONSUMER } from './consumers/prediction-made';
import { createReviewSamplerHandler, REVIEW_CONSUMER } from './consumers/prediction-made-review';
import { createDriftPsi } from './domain/drift-psi';
import { parseReviewRates } from './domain/sample-reviews';
import { parseWindows } from './domain/windows';
import { createAlertDelivery } from './jobs/alert-delivery';
import { createDriftRefresh } from './jobs/drift-refresh';
import { createPolicyEvaluation } from './jobs/policy-evaluation';
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
    const tasks = createTaskConfigs(rt.pool);
    const reader = createQualityReader(rt.pool);
    const refresh = createQualityRefresh({
      reader, pending: createPredictionStore(rt.pool), windows, observer: createQualityMetrics(rt.metrics), logger, pollMs: config.MONITORING_REFRESH_MS,
    });
    const driftReader = createDriftReader(rt.pool);
    const writer = createFeedbackWriter(rt.pool, {
      onCommitted: () => {
        rt.relay.kick();
        refresh.kick();
      },
    });
    const policies = createPolicyStore(rt.pool);
    // A breach commits with its AlertRaised and TrainingRequested: publish them at once.
    const breaches = createBreachStore(rt.pool, { onCommitted: () => rt.relay.kick() });
    const app = await buildApp({
      logger, metrics: rt.metrics, apiKeys: rt.apiKeys, readiness: rt.readiness, alerts: createAlertStore(rt.pool),
      feedback: { tasks, writer, now: () => new Date(), churnWindowMs },
      performance: { tasks, reader, defaultWindow: windows.reduce((a, b) => (b.ms > a.ms ? b : a)) },
      drift: { reader: driftReader, defaultWindow: windows.reduce((a, b) => (b.ms > a.ms ? b : a)) },
      reviews: {
        reviews: createReviewStore(rt.pool, {
          onCommitted: () => {
            rt.relay.kick();
            refresh.kick();
          },
        }),
        now: () => new Date(),
      },
      usage: { reader: createUsageReader(rt.pool), unusedDays: config.MODEL_UNUSED_DAYS },
      policies: { store: policies, breaches, windows, newId: randomUUID },
    });
    const inbox = (name: string) =>
      createInboxConsumer({ pool: rt.pool, schema: 'monitoring', name, consumer: rt.bus.consumer({ groupId: name }), producer: rt.producer, logger });
    const feedback = inbox(FEEDBACK_CONSUMER);
    await feedback.start([TOPICS.feedbackReceived], createFeedbackReceivedHandler({ entityWindowMs: churnWindowMs, tasks }));

    const predictions = createBatchInboxConsumer({
      pool: rt.pool, schema: 'monitoring', name: PREDICTION_CONSUMER, consumer: rt.bus.batchConsumer({ groupId: PREDICTION_CONSUMER }), producer: rt.producer, logger,
    });
    await predictions.start([TOPICS.predictionMade], handlePredictionsMade);
    refresh.start();

    // Human validation: low-confidence predictions and a sample of the rest go to the review queue.
    const reviewSampler = rt.bus.batchConsumer({ groupId: REVIEW_CONSUMER });
    await reviewSampler.start([TOPICS.predictionMade], createReviewSamplerHandler({
      queue: createReviewQueue(rt.pool), policy: { defaultRate: config.REVIEW_SAMPLE_RATE, rates: parseReviewRates(config.REVIEW_SAMPLE_RATES) }, logger,
    }));
    const driftRefresh = createDriftRefresh({
      reader: driftReader, windows, observer: createDriftMetrics(rt.metrics), logger, pollMs: config.MONITORING_DRIFT_REFRESH_MS,
    });
    driftRefresh.start();

    const observer = createAlertMetrics(rt.metrics);
    const alerts = inbox(ALERT_CONSUMER);
    await alerts.start([TOPICS.alertRaised], createAlertRaisedHandler({ webhookEnabled: Boolean(config.ALERT_WEBHOOK_URL), observer }));
    const evaluation = createPolicyEvaluation({
      policies, breaches, serving: createServingVersions(rt.pool), reader, psi: createDriftPsi(driftReader), newId: randomUUID, logger,
      pollMs: config.POLICY_EVALUATION_MS,
    });
    evaluation.start();
    const consumers: Closable[] = [feedback, predictions, refresh, alerts, reviewSampler, driftRefresh, evaluation];
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
