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
-- The newest predictions of one model.
CREATE INDEX predictions_model_created ON monitoring.predictions (model_name, created_at);
-- A customer's predictions before the date a label was observed.
CREATE INDEX predictions_entity_created ON monitoring.predictions (entity_id, created_at) WHERE entity_id IS NOT NULL;

-- Predictions and positive answers per model version and minute, added to by the prediction
-- consumer in the statement that stores the predictions (counting only rows it inserted): quality
-- windows add up at most a week of minutes instead of counting millions of rows every refresh.
CREATE TABLE monitoring.prediction_minutes (
  model_name    text NOT NULL,
  model_version text NOT NULL,
  minute        timestamptz NOT NULL,
  predictions   bigint NOT NULL,
  positives     bigint NOT NULL,
  PRIMARY KEY (model_name, model_version, minute)
);

-- Down Migration
DROP TABLE monitoring.prediction_minutes;
DROP TABLE monitoring.predictions;
