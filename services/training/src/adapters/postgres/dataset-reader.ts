import type { ChurnRow, Pool } from '@vigil/common';
import type { DatasetReader } from '../../domain/ports';

/** Reads datasets that ingestion stored (read-only grant on ingestion.datasets and churn_rows). */
export function createDatasetReader(pool: Pool): DatasetReader {
  return {
    async exists(datasetId) {
      const { rowCount } = await pool.query(`SELECT 1 FROM ingestion.datasets WHERE id = $1 AND kind = 'churn'`, [datasetId]);
      return Boolean(rowCount);
    },
    async churnDataset(datasetId) {
      const ds = await pool.query(`SELECT sha256 FROM ingestion.datasets WHERE id = $1 AND kind = 'churn'`, [datasetId]);
      if (!ds.rows[0]) return null;
      const { rows } = await pool.query('SELECT record, churn FROM ingestion.churn_rows WHERE dataset_id = $1 ORDER BY row_number', [datasetId]);
      return {
        sha256: ds.rows[0].sha256,
        // The label is a boolean column; pipelines see it in the Telco spelling.
        rows: rows.map((r): ChurnRow => ({ ...r.record, Churn: r.churn ? 'Yes' : 'No' })),
      };
    },
  };
}
