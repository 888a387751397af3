-- Up Migration
-- Ground-truth labels as received, before monitoring joins them with predictions.
CREATE TABLE ingestion.feedback (
  id            uuid PRIMARY KEY,
  prediction_id uuid,
  entity_id     text,
  label         text NOT NULL,
  source        text NOT NULL,
  client_name   text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (prediction_id IS NOT NULL OR entity_id IS NOT NULL)
);

-- Down Migration
DROP TABLE ingestion.feedback;
