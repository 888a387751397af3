import type { BatchJob, BatchJobStore, DatasetRows } from '../../src/domain/batch-ports';
import { scheduleBatch } from '../../src/domain/batch-scoring';

const DAY = 24 * 3600 * 1000;

function deps(opts: { last: Date | null; latest: string | null; live?: boolean; now: Date }) {
  const created: BatchJob[] = [];
  const jobs = { create: async (j: BatchJob) => void created.push(j), lastCreatedAt: async () => opts.last } as unknown as BatchJobStore;
  const rows = { latest: async () => opts.latest, count: async () => 5634 } as unknown as DatasetRows;
  return { created, deps: { jobs, rows, newId: () => 'job-1', now: () => opts.now, modelLive: () => opts.live ?? true } };
}

describe('scheduled weekly churn batch', () => {
  const now = new Date('2026-11-27T12:00:00Z');

  test('queues the latest dataset when the last batch is a week old, as the scheduler', async () => {
    const { created, deps: d } = deps({ last: new Date(now.getTime() - 7 * DAY - 1), latest: 'ds-9', now });
    const job = await scheduleBatch(7 * DAY, d);
    expect(job).toMatchObject({ datasetId: 'ds-9', requestedBy: 'scheduler', totalRows: 5634, status: 'queued' });
    expect(created).toHaveLength(1);
  });

  test('does nothing within the week, without a live model, or without any dataset', async () => {
    expect(await scheduleBatch(7 * DAY, deps({ last: new Date(now.getTime() - DAY), latest: 'ds', now }).deps)).toBeNull();
    expect(await scheduleBatch(7 * DAY, deps({ last: null, latest: 'ds', now, live: false }).deps)).toBeNull();
    expect(await scheduleBatch(7 * DAY, deps({ last: null, latest: null, now }).deps)).toBeNull();
  });

  test('the first ever batch is queued at once', async () => {
    expect(await scheduleBatch(7 * DAY, deps({ last: null, latest: 'ds-1', now }).deps)).toMatchObject({ datasetId: 'ds-1' });
  });
});
