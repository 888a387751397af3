import { serviceConfigSchema, Type, UrlVar } from '@vigil/common';
import { DEFAULT_LABEL_WINDOW_DAYS } from './domain/record-ground-truth';
import { REVIEW_RATES_PATTERN } from './domain/sample-reviews';

export const ConfigSchema = Type.Composite([
  serviceConfigSchema(8083),
  Type.Object({
    /** Where alerts are POSTed as JSON; unset = alerts are stored and listed only (delivery 'disabled'). */
    ALERT_WEBHOOK_URL: Type.Optional(UrlVar(['http:', 'https:'])),
    /** Adds `x-vigil-signature: sha256=<hex HMAC-SHA256 of the body>` to each webhook request. */
    ALERT_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16 })),
    /** Per webhook request, answer included. */
    ALERT_WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120000, default: 5000 }),
    /** Wait after the first failed attempt; doubles per attempt (with jitter) up to ALERT_WEBHOOK_BACKOFF_MAX_MS. */
    ALERT_WEBHOOK_BACKOFF_MS: Type.Integer({ minimum: 1, maximum: 600000, default: 1000 }),
    ALERT_WEBHOOK_BACKOFF_MAX_MS: Type.Integer({ minimum: 1, maximum: 3600000, default: 300000 }),
    /** Attempts before an alert is marked 'failed' (8 with the default backoff: retries over about 1.5 to 2 minutes). */
    ALERT_WEBHOOK_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
    /** How often the delivery worker looks for due alerts. */
    ALERT_DELIVERY_POLL_MS: Type.Integer({ minimum: 10, maximum: 60000, default: 1000 }),
    /** Look-back windows of the quality gauges (vigil_model_quality{window}); the longest is the performance endpoint's default. */
    MONITORING_WINDOWS: Type.String({ pattern: '^[1-9][0-9]{0,4}[mhd](,[1-9][0-9]{0,4}[mhd])*$', default: '1h,1d,7d' }),
    /** How often the quality gauges are recomputed (also right after every feedback write). */
    MONITORING_REFRESH_MS: Type.Integer({ minimum: 100, maximum: 600000, default: 2000 }),
    /** A customer's churn outcome applies to their latest churn prediction per model version made this many days before it. */
    CHURN_LABEL_WINDOW_DAYS: Type.Integer({ minimum: 1, maximum: 366, default: DEFAULT_LABEL_WINDOW_DAYS }),
    /** How often the drift gauges (vigil_model_psi{window}, over MONITORING_WINDOWS) are recomputed. */
    MONITORING_DRIFT_REFRESH_MS: Type.Integer({ minimum: 100, maximum: 3600000, default: 10000 }),
    /** Share of predictions sampled into the review queue (by a hash of the prediction id); low-confidence ones always go in. */
    REVIEW_SAMPLE_RATE: Type.Number({ minimum: 0, maximum: 1, default: 0.02 }),
    /** Per-model sample rates overriding REVIEW_SAMPLE_RATE, e.g. "churn=0.005,xray-pneumonia=0.1". */
    REVIEW_SAMPLE_RATES: Type.Optional(Type.String({ pattern: REVIEW_RATES_PATTERN })),
    /** A model with no prediction for more than this many days is flagged for decommissioning (GET /v1/models/{name}/usage). */
    MODEL_UNUSED_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }),
    /** How often every replica evaluates the quality policies (a breach is recorded once per cooldown whichever replica sees it). */
    POLICY_EVALUATION_MS: Type.Integer({ minimum: 100, maximum: 3600000, default: 30000 }),
  }),
]);
