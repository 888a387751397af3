import type { ChurnRecord } from '../../src/domain/churn-table';
import { ingestChurnDataset } from '../../src/domain/ingest-churn-dataset';
import type { Dataset, DatasetStore } from '../../src/domain/ports';
import { telcoCsv, telcoRow } from '../support/churn-tables';

/** A store that remembers datasets by hash, as the Postgres one does with its unique constraint. */
function memoryStore() {
  const byHash = new Map<string, { dataset: Dataset; records: readonly ChurnRecord[] }>();
  const store: DatasetStore = {
    async saveChurn(dataset, records) {
      const existing = byHash.get(dataset.sha256);
      if (existing) return { dataset: existing.dataset, created: false };
      byHash.set(dataset.sha256, { dataset, records });
      return { dataset, created: true };
    },
    async find(id) {
      return [...byHash.values()].find((d) => d.dataset.id === id)?.dataset ?? null;
    },
  };
  return { store, byHash };
}

const deps = (store: DatasetStore) => {
  let n = 0;
  return { store, clock: { now: () => new Date('2026-01-01T00:00:00Z') }, ids: { newId: () => `id-${++n}` } };
};

describe('ingestChurnDataset', () => {
  test('stores a CSV table once; the same rows as JSON find that dataset', async () => {
    const { store, byHash } = memoryStore();
    const d = deps(store);
    const first = await ingestChurnDataset({ format: 'csv', text: telcoCsv([telcoRow('A'), telcoRow('B')]) }, 'ml', d);
    expect(first).toEqual({
      created: true,
      dataset: { id: 'id-1', kind: 'churn', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), rowCount: 2, clientName: 'ml', createdAt: new Date('2026-01-01T00:00:00Z') },
    });
    const again = await ingestChurnDataset({ format: 'json', rows: [telcoRow('A'), telcoRow('B')] }, 'other', d);
    expect(again).toEqual({ created: false, dataset: first.dataset });
    expect(byHash.size).toBe(1);
  });

  test('stores nothing when a row is invalid', async () => {
    const { store, byHash } = memoryStore();
    const upload = { format: 'json' as const, rows: [telcoRow('A'), telcoRow('B', { gender: 'X' })] };
    await expect(ingestChurnDataset(upload, 'ml', deps(store))).rejects.toMatchObject({ code: 'VIGIL_UNPROCESSABLE', status: 422 });
    expect(byHash.size).toBe(0);
  });
});
