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

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}
