import { stageEvent, TOPICS, withTransaction, type Pool, type PoolClient } from '@vigil/common';
import type { Dataset, DatasetStore } from '../../domain/ports';

interface DatasetRow {
  id: string;
  kind: 'churn';
  sha256: string;
  row_count: number;
  client_name: string;
  created_at: Date;
}

const toDataset = (row: DatasetRow): Dataset => ({
  id: row.id,
  kind: row.kind,
  sha256: row.sha256,
  rowCount: row.row_count,
  clientName: row.client_name,
  createdAt: row.created_at,
});

const COLUMNS = 'id, kind, sha256, row_count, client_name, created_at';

export function createDatasetStore(pool: Pool, options: { onCommitted?: () => void } = {}): DatasetStore {
  return {
    async saveChurn(dataset, records) {
      const result = await withTransaction(pool, async (tx) => {
        // DO NOTHING rather than catching 23505: a concurrent upload of the same content makes this
        // insert wait for the other transaction, then skip, and the SELECT below sees its row.
        const inserted = await tx.query(
          `INSERT INTO ingestion.datasets (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (kind, sha256) DO NOTHING`,
          [dataset.id, dataset.kind, dataset.sha256, dataset.rowCount, dataset.clientName, dataset.createdAt],
        );
        if (inserted.rowCount === 0) return { dataset: await findByHash(tx, dataset), created: false };
        await insertRows(tx, dataset, records);
        await stageEvent(tx, 'ingestion', 'ingestion', TOPICS.datasetIngested, {
          datasetId: dataset.id,
          kind: dataset.kind,
          rowCount: BigInt(dataset.rowCount),
          sha256: dataset.sha256,
          clientName: dataset.clientName,
        });
        return { dataset, created: true };
      });
      if (result.created) options.onCommitted?.();
      return result;
    },

    async find(id) {
      const { rows } = await pool.query<DatasetRow>(`SELECT ${COLUMNS} FROM ingestion.datasets WHERE id = $1`, [id]);
      return rows[0] ? toDataset(rows[0]) : null;
    },
  };
}

/**
 * All rows in one statement from one JSON parameter: for the 5,634-row Telco file this is one
 * round trip (~2 MB) instead of thousands, and Postgres parses the JSON once.
 */
async function insertRows(tx: PoolClient, dataset: Dataset, records: readonly object[]): Promise<void> {
  await tx.query(
    `INSERT INTO ingestion.churn_rows (dataset_id, row_number, customer_id, record, churn)
     SELECT $1, t.n, t.r->>'customerID', t.r, t.r->>'Churn' = 'Yes'
     FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(r, n)`,
    [dataset.id, JSON.stringify(records)],
  );
  // The customers' current feature records: the label is left out, scoring must not see it.
  // ORDER BY takes the row locks in key order, so two uploads sharing customers cannot deadlock.
  // The WHERE keeps the newest dataset's record even when an older upload commits after it.
  await tx.query(
    `INSERT INTO ingestion.churn_customers (customer_id, dataset_id, record, updated_at)
     SELECT customer_id, dataset_id, record - 'Churn', $2 FROM ingestion.churn_rows
     WHERE dataset_id = $1 ORDER BY customer_id
     ON CONFLICT (customer_id) DO UPDATE
       SET dataset_id = EXCLUDED.dataset_id, record = EXCLUDED.record, updated_at = EXCLUDED.updated_at
       WHERE ingestion.churn_customers.updated_at <= EXCLUDED.updated_at`,
    [dataset.id, dataset.createdAt],
  );
}

async function findByHash(tx: PoolClient, dataset: Dataset): Promise<Dataset> {
  const { rows } = await tx.query<DatasetRow>(`SELECT ${COLUMNS} FROM ingestion.datasets WHERE kind = $1 AND sha256 = $2`, [
    dataset.kind,
    dataset.sha256,
  ]);
  return toDataset(rows[0]);
}
