import type { ChurnRecord } from './churn-table';

/** What the ingestion domain needs from the outside world; adapters implement these. */
export interface Feedback {
  id: string;
  predictionId: string | null;
  entityId: string | null;
  label: string;
  source: string;
  clientName: string;
  receivedAt: Date;
}

export interface FeedbackStore {
  /** Saves the feedback and its FeedbackReceived event in one transaction. */
  save(feedback: Feedback): Promise<void>;
}

/** A stored, immutable table (today only the Telco churn table, kind "churn"). */
export interface Dataset {
  id: string;
  kind: 'churn';
  /** churnTableDigest of the rows: equal content, equal dataset. */
  sha256: string;
  rowCount: number;
  clientName: string;
  createdAt: Date;
}

export interface DatasetStore {
  /**
   * Saves the dataset, its rows, each customer's current record and the DatasetIngested event in
   * one transaction. When a dataset of the same kind and sha256 exists (or commits concurrently),
   * saves nothing and returns that one with created = false.
   */
  saveChurn(dataset: Dataset, records: readonly ChurnRecord[]): Promise<{ dataset: Dataset; created: boolean }>;
  find(id: string): Promise<Dataset | null>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}
