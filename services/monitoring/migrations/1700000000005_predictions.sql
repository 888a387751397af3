-- Up Migration
-- Every PredictionMade event, reduced to what quality metrics need: which model version answered
-- what, when, and about which entity (so that a label posted per customer finds its predictions).
-- Written in batches by the prediction-made consumer; never updated.
CREATE TABLE monitoring.predictions (
  prediction_id uuid PRIMARY KEY,
  model_name    text NOT NULL,
  model_version text NOT NULL,
  -- Probability of the model's positive class (pneumonia, bacterial, churn), for AUC and Brier.
  score         double precision NOT NULL,
  label         text NOT NULL,
  -- Whether the model answered its positive class.
  positive      boolean NOT NULL,
  entity_id     text,
  created_at    timestamptz NOT NULL
);
-- Quality of one model over a window (GET /v1/monitoring/models/{name}/performance).
CREATE INDEX predictions_model_created ON monitoring.predictions (model_name, created_at);
-- Quality of every model over a window (the gauge refresher).
CREATE INDEX predictions_created ON monitoring.predictions (created_at);
-- A customer's predictions before the date a label was observed.
CREATE INDEX predictions_entity_created ON monitoring.predictions (entity_id, created_at) WHERE entity_id IS NOT NULL;

-- Down Migration
DROP TABLE monitoring.predictions;
