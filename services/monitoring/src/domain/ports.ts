/** What the monitoring domain needs from the outside world; adapters implement these. */
import type { TaskConfig } from '@vigil/common';
import type { VersionQuality } from './quality';

/** A label as a FeedbackReceived event carried it. */
export interface GroundTruth {
  eventId: string;
  predictionId: string | null;
  entityId: string | null;
  label: string;
  source: string;
  clientName: string;
  occurredAt: Date;
}

/** A prediction as monitoring keeps it (monitoring.predictions). */
export interface Prediction {
  predictionId: string;
  modelName: string;
  modelVersion: string;
  /** Probability of the model's positive class. */
  score: number;
  label: string;
  /** Whether the model answered its positive class. */
  positive: boolean;
  entityId: string | null;
  createdAt: Date;
}

/** What a label is applied to: enough of the prediction to map the label to its model's classes. */
export type LabelTarget = Pick<Prediction, 'predictionId' | 'modelName' | 'modelVersion' | 'entityId' | 'createdAt'>;

/** A label about an entity (a customer), applied to that entity's predictions made up to observedAt. */
export interface EntitySubject {
  entityId: string;
  observedAt: Date;
}

/** One label as stored: history row, and the current label of its prediction (or of its entity when prediction_id is null). */
export interface LabelRow {
  eventId: string;
  predictionId: string | null;
  entityId: string | null;
  label: string;
  /** The label in its prediction's model's terms; null while the prediction is unknown or the label means nothing to it. */
  positive: boolean | null;
  source: string;
  clientName: string;
  observedAt: Date;
}

export interface PredictionLookup {
  /** The stored predictions among `ids`. */
  findPredictions(ids: string[]): Promise<LabelTarget[]>;
  /**
   * For each subject, in order: per model version, the entity's latest prediction (of `modelName`
   * when given) made in (observedAt − windowMs, observedAt].
   */
  findEntityPredictions(subjects: EntitySubject[], windowMs: number, modelName?: string): Promise<LabelTarget[][]>;
}

export interface GroundTruthStore extends PredictionLookup {
  /** Whether labels of this event are stored already (it was posted here, or seen before). */
  seen(eventId: string): Promise<boolean>;
  /** Appends every row to the history and makes it the current label of its subject; within `rows`, the last one per subject wins. */
  save(rows: LabelRow[]): Promise<void>;
}

/** A FeedbackReceived event to publish (through the outbox) and the label rows it announces. */
export interface AcceptedFeedback {
  event: { predictionId: string; entityId: string; label: string; source: string };
  rows: Omit<LabelRow, 'eventId' | 'clientName'>[];
}

export interface FeedbackWriter extends PredictionLookup {
  /** One transaction: the events into the outbox, each one's rows under its event id. */
  save(accepted: AcceptedFeedback[], clientName: string): Promise<void>;
}

/** Inside the prediction consumer's inbox transaction. */
export interface PredictionStore {
  /**
   * Inserts the predictions (one statement; a prediction id stored before is left as it was) and
   * returns the labels that arrived before them, still without their meaning.
   */
  save(predictions: Prediction[]): Promise<{ id: string; predictionId: string; label: string }[]>;
  resolveLabels(resolved: { id: string; positive: boolean | null }[]): Promise<void>;
}

/** Labels still waiting for their meaning although their prediction is stored (a commit race; see resolvePendingLabels). */
export interface PendingLabelStore {
  recentPending(): Promise<{ id: string; modelName: string; label: string }[]>;
  resolveLabels(resolved: { id: string; positive: boolean | null }[]): Promise<void>;
}

/** Confusion counts of one model version over one window, computed where the rows are. */
export interface VersionCounts {
  windowMs: number;
  modelName: string;
  modelVersion: string;
  predictions: number;
  predictedPositive: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Sum over labelled predictions of (score − truth)². */
  brierSum: number;
}

export interface ScoredLabel {
  score: number;
  positive: boolean;
}

export interface QualityQuery {
  /** Look-back windows, all read in one pass over the longest. */
  windowsMs: number[];
  modelName?: string;
  modelVersion?: string;
}

export interface QualitySnapshot {
  /** The database's clock when it was read; every window ends here. */
  asOf: Date;
  /** One entry per window and version with predictions in that window. */
  counts: VersionCounts[];
  /** Scores and truths of the newest `cap` labelled predictions of each version in each window, keyed by sampleKey. */
  samples: Map<string, ScoredLabel[]>;
}

export const sampleKey = (windowMs: number, modelName: string, modelVersion: string) => `${windowMs}\u0000${modelName}\u0000${modelVersion}`;

/** What a model version is, as its registry config says. */
export interface VersionTask extends TaskConfig {
  /** The version's answers follow its task (label, probabilities or value); true for registered models. */
  answersByTask: boolean;
}

export interface TaskConfigs {
  /** Null when the registry has no such version or its config declares no task. */
  get(modelName: string, modelVersion: string): Promise<VersionTask | null>;
}

/** A labelled prediction as answered and as it truly was: labels for classifiers, numbers (score = value) for regressions. */
export interface LabelledPair {
  modelVersion: string;
  predictedLabel: string;
  score: number;
  actualLabel: string;
}

export interface PairReader {
  /** The newest `cap` labelled predictions per version of a model in the window. */
  labelledPairs(query: { modelName: string; modelVersion?: string; windowMs: number }, cap: number): Promise<LabelledPair[]>;
}

export interface QualityReader {
  /** Counts and samples from one consistent snapshot, so they describe the same rows. */
  read(query: QualityQuery, cap: number): Promise<QualitySnapshot>;

  /** Whether monitoring has ever stored a prediction of the model. */
  knowsModel(modelName: string): Promise<boolean>;
}

/** Where computed quality goes (Prometheus gauges): every window's versions at once, replacing what was there. */
export interface QualityObserver {
  publish(results: { window: string; versions: VersionQuality[] }[]): void;
}

export type AlertSeverity = 'unspecified' | 'info' | 'warning' | 'critical';
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'disabled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** An alert as an AlertRaised event announced it. */
export interface RaisedAlert {
  alertId: string;
  eventId: string;
  kind: string;
  severity: AlertSeverity;
  modelName: string;
  modelVersion: string | null;
  predictionId: string | null;
  message: string;
  raisedAt: Date;
}

/** A stored alert with the state of its webhook delivery. */
export interface Alert extends RaisedAlert {
  receivedAt: Date;
  deliveryStatus: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

export interface AlertFilter {
  kind?: string;
  modelName?: string;
  status?: DeliveryStatus;
  since?: Date;
  limit: number;
}

export interface AlertStore {
  /** Stores the alert unless one with its id exists; says whether it did. Called inside the inbox transaction. */
  save(alert: RaisedAlert, status: 'pending' | 'disabled'): Promise<boolean>;
  /** Newest first. */
  list(filter: AlertFilter): Promise<Alert[]>;
  get(alertId: string): Promise<Alert | null>;
}

/** Pending alerts waiting for the webhook, shared by every replica. */
export interface AlertDeliveryQueue {
  /**
   * Takes up to `limit` due alerts, counts the attempt and holds them for `leaseMs` (another
   * replica skips them meanwhile). An alert whose holder died is due again when the lease ends.
   */
  claimDue(limit: number, leaseMs: number): Promise<Alert[]>;
  /**
   * Each records the outcome of the attempt numbered `attempt`; a no-op when the alert has since
   * been claimed again (a later attempt's outcome wins). Returns whether it recorded.
   */
  markDelivered(alertId: string, attempt: number): Promise<boolean>;
  /** Due again `delayMs` from now by the database's clock, the one `claimDue` compares with. */
  markRetry(alertId: string, attempt: number, delayMs: number, error: string): Promise<boolean>;
  markFailed(alertId: string, attempt: number, error: string): Promise<boolean>;
}

/** The JSON document a webhook receiver gets. */
export interface AlertNotification {
  alertId: string;
  kind: string;
  severity: AlertSeverity;
  model: { name: string; version: string | null };
  predictionId: string | null;
  message: string;
  raisedAt: string;
}

export type WebhookResult = { ok: true } | { ok: false; error: string };

export interface AlertWebhook {
  /** Never throws: a refused connection, a timeout or a non-2xx answer is `{ ok: false }`. */
  send(notification: AlertNotification): Promise<WebhookResult>;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

export interface AlertObserver {
  received(alert: RaisedAlert): void;
  delivery(outcome: DeliveryOutcome): void;
}
