import { churnTableDigest } from './churn-digest';
import { decodeCsv } from './churn-csv';
import type { ChurnRecord } from './churn-table';
import type { Clock, Dataset, DatasetStore, IdGenerator } from './ports';
import { validateCsvTable, validateJsonRows } from './validate-churn-table';

/** The upload as the transport received it: CSV text (body or multipart file) or JSON rows. */
export type ChurnUpload = { format: 'csv'; text: string } | { format: 'json'; rows: readonly unknown[] };

export interface IngestDatasetDeps {
  store: DatasetStore;
  clock: Clock;
  ids: IdGenerator;
}

export interface IngestResult {
  dataset: Dataset;
  /** false when the same content was uploaded before: that dataset is returned, nothing is written. */
  created: boolean;
}

/**
 * Accepts a Telco churn table as a training dataset. Every row is validated before anything is
 * stored, so a file is imported whole or not at all; the rows then become the customers' current
 * feature records and training hears of the dataset through the outbox.
 */
export async function ingestChurnDataset(upload: ChurnUpload, clientName: string, deps: IngestDatasetDeps): Promise<IngestResult> {
  const records: ChurnRecord[] = upload.format === 'csv' ? validateCsvTable(decodeCsv(upload.text)) : validateJsonRows(upload.rows);
  const dataset: Dataset = {
    id: deps.ids.newId(),
    kind: 'churn',
    sha256: churnTableDigest(records),
    rowCount: records.length,
    clientName,
    createdAt: deps.clock.now(),
  };
  return deps.store.saveChurn(dataset, records);
}
