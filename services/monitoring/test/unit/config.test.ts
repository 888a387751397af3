import { loadConfig } from '@vigil/common';
import { ConfigSchema } from '../../src/config';

describe('monitoring config', () => {
  test('leaves the webhook off by default, with the documented delivery defaults', () => {
    const config = loadConfig(ConfigSchema, {});
    expect(config.ALERT_WEBHOOK_URL).toBeUndefined();
    expect(config).toMatchObject({
      ALERT_WEBHOOK_TIMEOUT_MS: 5000, ALERT_WEBHOOK_BACKOFF_MS: 1000, ALERT_WEBHOOK_BACKOFF_MAX_MS: 300_000, ALERT_WEBHOOK_MAX_ATTEMPTS: 8,
    });
  });

  test('measures quality over 1h, 1d and 7d every 2 s, and applies a churn outcome to the 90 days before it', () => {
    expect(loadConfig(ConfigSchema, {})).toMatchObject({ MONITORING_WINDOWS: '1h,1d,7d', MONITORING_REFRESH_MS: 2000, CHURN_LABEL_WINDOW_DAYS: 90 });
    expect(() => loadConfig(ConfigSchema, { MONITORING_WINDOWS: '1h,1 week' })).toThrow(/MONITORING_WINDOWS/);
  });

  test('rejects a webhook URL that is not http(s), naming the variable', () => {
    expect(() => loadConfig(ConfigSchema, { ALERT_WEBHOOK_URL: 'ftp://hooks.example.com/x' })).toThrow(/ALERT_WEBHOOK_URL/);
  });
});
