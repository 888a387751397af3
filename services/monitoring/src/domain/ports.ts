/** What the monitoring domain needs from the outside world; adapters implement these. */
export interface GroundTruth {
  eventId: string;
  predictionId: string | null;
  entityId: string | null;
  label: string;
  source: string;
  clientName: string;
  occurredAt: Date;
}

export interface GroundTruthStore {
  /** Called inside the inbox transaction of the event that carried it. */
  save(truth: GroundTruth): Promise<void>;
}
