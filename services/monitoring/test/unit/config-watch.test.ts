import { loadConfig } from '@vigil/common';
import { ConfigSchema } from '../../src/config';

describe('monitoring config: drift, review queue and usage', () => {
  test('recomputes drift every 10 s, samples 2% for review, flags models unused for 30 days', () => {
    const config = loadConfig(ConfigSchema, {});
    expect(config).toMatchObject({ MONITORING_DRIFT_REFRESH_MS: 10_000, REVIEW_SAMPLE_RATE: 0.02, MODEL_UNUSED_DAYS: 30 });
    expect(config.REVIEW_SAMPLE_RATES).toBeUndefined();
  });

  test('takes per-model sample rates and refuses a rate outside [0, 1], naming the variable', () => {
    expect(loadConfig(ConfigSchema, { REVIEW_SAMPLE_RATE: '0.1', REVIEW_SAMPLE_RATES: 'churn=0.005,xray-pneumonia=1' })).toMatchObject({
      REVIEW_SAMPLE_RATE: 0.1, REVIEW_SAMPLE_RATES: 'churn=0.005,xray-pneumonia=1',
    });
    expect(() => loadConfig(ConfigSchema, { REVIEW_SAMPLE_RATE: '2' })).toThrow(/REVIEW_SAMPLE_RATE/);
    expect(() => loadConfig(ConfigSchema, { REVIEW_SAMPLE_RATES: 'churn=5%' })).toThrow(/REVIEW_SAMPLE_RATES/);
  });
});
