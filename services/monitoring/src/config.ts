import { serviceConfigSchema, Type, UrlVar } from '@vigil/common';

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
  }),
]);
