-- Up Migration
-- Ground truth as monitoring sees it, one row per FeedbackReceived event; joined with
-- predictions to compute precision/recall per model version.
CREATE TABLE monitoring.ground_truth (
  event_id      uuid PRIMARY KEY,
  prediction_id uuid,
  entity_id     text,
  label         text NOT NULL,
  source        text NOT NULL,
  client_name   text NOT NULL,
  occurred_at   timestamptz NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ground_truth_prediction ON monitoring.ground_truth (prediction_id);
CREATE INDEX ground_truth_entity ON monitoring.ground_truth (entity_id);

-- Down Migration
DROP TABLE monitoring.ground_truth;
