-- Up Migration
-- The review queue (human validation): predictions chosen for a person to label — every
-- low-confidence one, and a deterministic sample (hash of the prediction id < the model's rate) of
-- the rest — with what the model answered, and, once reviewed, who said what. A prediction is
-- queued once (unique prediction_id), however many replicas or redeliveries see its event. The
-- label itself becomes ground truth through the feedback path (feedback_event_id).
CREATE TABLE monitoring.reviews (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  prediction_id     uuid NOT NULL UNIQUE,
  model_name        text NOT NULL,
  model_version     text NOT NULL,
  reason            text NOT NULL CHECK (reason IN ('sampled', 'low_confidence')),
  status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  -- What the model answered: positive-class probability and label, the entity (customer, study).
  score             double precision NOT NULL,
  predicted_label   text NOT NULL,
  entity_id         text,
  predicted_at      timestamptz NOT NULL,
  reviewer          text,
  label             text,
  feedback_event_id uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  reviewed_at       timestamptz,
  CHECK ((status = 'done') = (reviewer IS NOT NULL AND label IS NOT NULL AND reviewed_at IS NOT NULL))
);
-- GET /v1/reviews?status=open[&model=]: the queue, oldest first.
CREATE INDEX reviews_status_created ON monitoring.reviews (status, created_at);
CREATE INDEX reviews_model_status_created ON monitoring.reviews (model_name, status, created_at);

-- GET /v1/models/{name}/usage: count and latest time per version, answered from the index alone
-- (the table is insert-only, so its pages stay all-visible after autovacuum).
CREATE INDEX predictions_model_version_created ON monitoring.predictions (model_name, model_version, created_at);

-- Down Migration
DROP INDEX monitoring.predictions_model_version_created;
DROP TABLE monitoring.reviews;
