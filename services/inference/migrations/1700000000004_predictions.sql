-- Up Migration
-- The audit trail: one row per prediction, committed (with its prediction-made outbox event)
-- before the caller sees the prediction.
CREATE TABLE inference.predictions (
  id             uuid PRIMARY KEY,
  created_at     timestamptz NOT NULL DEFAULT now(),
  request_id     text NOT NULL,
  client_name    text NOT NULL,
  model_name     text NOT NULL,
  model_version  integer NOT NULL,
  model_sha256   text NOT NULL,
  entity_id      text,
  input_sha256   text NOT NULL,
  input          jsonb NOT NULL,
  output         jsonb NOT NULL,
  latency_ms     real NOT NULL
);
CREATE INDEX predictions_by_model ON inference.predictions (model_name, model_version, created_at);
CREATE INDEX predictions_by_entity ON inference.predictions (entity_id, created_at) WHERE entity_id IS NOT NULL;

-- Down Migration
DROP TABLE inference.predictions;
