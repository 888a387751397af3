import { stageEvent, TOPICS, withTransaction, type Pool, type PoolClient } from '@vigil/common';
import type { XrayDataset, XrayDatasetStore } from '../../domain/xray-ports';

interface XrayDatasetRow {
  id: string;
  sha256: string;
  image_count: number;
  label_counts: XrayDataset['labels'];
  subtype_counts: XrayDataset['subtypes'];
  created_by: string;
  created_at: Date;
}

const toDataset = (row: XrayDatasetRow): XrayDataset => ({
  id: row.id,
  sha256: row.sha256,
  imageCount: row.image_count,
  labels: row.label_counts,
  subtypes: row.subtype_counts,
  clientName: row.created_by,
  createdAt: row.created_at,
});

const COLUMNS = 'id, sha256, image_count, label_counts, subtype_counts, created_by, created_at';

export function createXrayDatasetStore(pool: Pool, options: { onCommitted?: () => void } = {}): XrayDatasetStore {
  return {
    async save(dataset, images) {
      const result = await withTransaction(pool, async (tx) => {
        // DO NOTHING rather than catching 23505: a concurrent upload of the same content makes this
        // insert wait for the other transaction, then skip, and the SELECT below sees its row.
        const inserted = await tx.query(
          `INSERT INTO ingestion.xray_datasets (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (sha256) DO NOTHING`,
          [dataset.id, dataset.sha256, dataset.imageCount, dataset.labels, dataset.subtypes, dataset.clientName, dataset.createdAt],
        );
        if (inserted.rowCount === 0) return { dataset: await findByHash(tx, dataset.sha256), created: false };
        // All rows in one statement from one JSON parameter: for the 5,216-image set one round
        // trip of ~1.3 MB instead of thousands.
        await tx.query(
          `INSERT INTO ingestion.xray_images (dataset_id, path, label, subtype, patient_id, sha256, media_type, width, height)
           SELECT $1, t."path", t.label, t.subtype, t."patientId", t.sha256, t."mediaType", t.width, t.height
           FROM jsonb_to_recordset($2::jsonb)
             AS t("path" text, label text, subtype text, "patientId" text, sha256 text, "mediaType" text, width int, height int)`,
          [dataset.id, JSON.stringify(images)],
        );
        await stageEvent(tx, 'ingestion', 'ingestion', TOPICS.datasetIngested, {
          datasetId: dataset.id,
          kind: 'xray',
          rowCount: BigInt(dataset.imageCount),
          sha256: dataset.sha256,
          clientName: dataset.clientName,
        });
        return { dataset, created: true };
      });
      if (result.created) options.onCommitted?.();
      return result;
    },

    async find(id) {
      const { rows } = await pool.query<XrayDatasetRow>(`SELECT ${COLUMNS} FROM ingestion.xray_datasets WHERE id = $1`, [id]);
      return rows[0] ? toDataset(rows[0]) : null;
    },
  };
}

async function findByHash(tx: PoolClient, sha256: string): Promise<XrayDataset> {
  const { rows } = await tx.query<XrayDatasetRow>(`SELECT ${COLUMNS} FROM ingestion.xray_datasets WHERE sha256 = $1`, [sha256]);
  return toDataset(rows[0]);
}
