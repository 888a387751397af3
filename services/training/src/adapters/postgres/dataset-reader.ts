import type { ChurnRow, Pool } from '@vigil/common';
import type { DatasetReader, XrayImageRef } from '../../domain/ports';

/**
 * Reads datasets that ingestion stored (read-only grants on ingestion.datasets and churn_rows, and
 * on xray_datasets and xray_images; the images themselves are in the shared blob store).
 */
export function createDatasetReader(pool: Pool): DatasetReader {
  return {
    async exists(datasetId, kind) {
      const sql = kind === 'xray' ? 'SELECT 1 FROM ingestion.xray_datasets WHERE id = $1' : `SELECT 1 FROM ingestion.datasets WHERE id = $1 AND kind = 'churn'`;
      const { rowCount } = await pool.query(sql, [datasetId]);
      return Boolean(rowCount);
    },
    async latest(kind) {
      const sql =
        kind === 'xray'
          ? 'SELECT id FROM ingestion.xray_datasets ORDER BY created_at DESC LIMIT 1'
          : `SELECT id FROM ingestion.datasets WHERE kind = 'churn' ORDER BY created_at DESC LIMIT 1`;
      return (await pool.query(sql)).rows[0]?.id ?? null;
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
    async xrayDataset(datasetId) {
      const ds = await pool.query('SELECT sha256 FROM ingestion.xray_datasets WHERE id = $1', [datasetId]);
      if (!ds.rows[0]) return null;
      // Ordered by path: the patient split sorts patients itself, but a stable order keeps the
      // embedding matrix (and so every float of training) identical from run to run.
      const { rows } = await pool.query(
        'SELECT path, label, subtype, patient_id, sha256 FROM ingestion.xray_images WHERE dataset_id = $1 ORDER BY path',
        [datasetId],
      );
      return {
        sha256: ds.rows[0].sha256,
        images: rows.map((r): XrayImageRef => ({ path: r.path, label: r.label, subtype: r.subtype, patientId: r.patient_id, sha256: r.sha256 })),
      };
    },
  };
}
