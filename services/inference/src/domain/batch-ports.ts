/** Ports of the batch-scoring use cases. */
import type { ChurnRow } from '@vigil/common';

export interface BatchJob {
  id: string;
  datasetId: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  totalRows: number;
  nextRow: number;
  scored: number;
  modelName: string;
  error: string | null;
  requestedBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface BatchScore {
  customerId: string;
  probability: number;
  churn: boolean;
  modelVersion: number;
  modelSha256: string;
  predictionId: string;
}

export interface BatchJobStore {
  create(job: BatchJob): Promise<void>;
  get(id: string): Promise<BatchJob | null>;
  /** Takes a queued job, or a running one whose heartbeat is stale (its process died). */
  claim(staleAfterMs: number): Promise<BatchJob | null>;
  /** Stores a chunk's scores and moves the resume point past it, in one transaction. */
  saveChunk(jobId: string, scores: BatchScore[], nextRow: number): Promise<void>;
  finish(jobId: string): Promise<void>;
  fail(jobId: string, error: string): Promise<void>;
  /** When the most recent job was created, or null if there never was one. */
  lastCreatedAt(): Promise<Date | null>;
}

export interface DatasetRows {
  /** Number of rows of a churn dataset, or null if there is no such dataset. */
  count(datasetId: string): Promise<number | null>;
  /** Rows with row_number > afterRow, in order (row numbers start at 1). */
  page(datasetId: string, afterRow: number, limit: number): Promise<{ rowNumber: number; row: ChurnRow }[]>;
  /** The most recently ingested churn dataset, or null. */
  latest(): Promise<string | null>;
}
