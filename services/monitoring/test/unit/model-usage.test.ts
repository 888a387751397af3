import { modelUsage, usageOf } from '../../src/domain/model-usage';
import type { VersionUsage } from '../../src/domain/usage-ports';

const asOf = new Date('2025-06-30T12:00:00Z');
const daysAgo = (d: number) => new Date(asOf.getTime() - d * 86_400_000);
const v = (modelVersion: string, requests: number, lastUsed: number | null, registered: number | null): VersionUsage => ({
  modelVersion, requests, lastUsedAt: lastUsed === null ? null : daysAgo(lastUsed), registeredAt: registered === null ? null : daysAgo(registered),
});

describe('model usage and the decommissioning flag', () => {
  test('counts requests per version and measures idleness from the newest use of any version', () => {
    const usage = usageOf('churn', asOf, [v('1', 500, 40, 90), v('10', 20, 3.5, 10), v('2', 0, null, 60)], 30);
    expect(usage).toMatchObject({ requests: 520, lastUsedAt: daysAgo(3.5), unusedForDays: 3, flagged: false, unusedThresholdDays: 30 });
    expect(usage.versions.map((x) => [x.modelVersion, x.unusedForDays])).toEqual([['10', 3], ['2', 60], ['1', 40]]);
  });

  test('a model unused for more than the threshold is flagged; exactly the threshold is not', () => {
    expect(usageOf('m', asOf, [v('1', 9, 31, 100)], 30)).toMatchObject({ unusedForDays: 31, flagged: true });
    expect(usageOf('m', asOf, [v('1', 9, 30, 100)], 30)).toMatchObject({ unusedForDays: 30, flagged: false });
  });

  test('a model never used counts from the registration of its first version', () => {
    expect(usageOf('m', asOf, [v('1', 0, null, 45), v('2', 0, null, 5)], 30)).toMatchObject({ lastUsedAt: null, requests: 0, unusedForDays: 45, flagged: true });
  });

  test('a model neither registered nor ever predicted is not found', async () => {
    await expect(modelUsage({ usage: async () => ({ asOf, versions: [] }) }, { modelName: 'nope', unusedThresholdDays: 30 })).rejects.toMatchObject({
      code: 'VIGIL_NOT_FOUND',
    });
  });
});
