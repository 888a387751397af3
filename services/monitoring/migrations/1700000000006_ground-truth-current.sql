-- Up Migration
-- Labels with their history. ground_truth_history is append-only: one row per label received and
-- per prediction it applies to (a customer's label may apply to several). ground_truth holds the
-- current label: one row per prediction (a later label replaces it), plus one per entity whose
-- label matched no prediction when it arrived (prediction_id NULL), so nothing received is lost.
-- `positive` is the label in the terms of the prediction's model (pneumonia, bacterial, churned);
-- NULL while the prediction is unknown or the label means nothing to its model.
-- The old table (one row per FeedbackReceived event) becomes the history.
ALTER TABLE monitoring.ground_truth RENAME TO ground_truth_history;
ALTER TABLE monitoring.ground_truth_history RENAME COLUMN occurred_at TO observed_at;
ALTER TABLE monitoring.ground_truth_history DROP CONSTRAINT ground_truth_pkey;
ALTER INDEX monitoring.ground_truth_prediction RENAME TO ground_truth_history_prediction;
ALTER INDEX monitoring.ground_truth_entity RENAME TO ground_truth_history_entity;
ALTER TABLE monitoring.ground_truth_history
  ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ADD COLUMN positive boolean,
  -- Deduplication by event id: an event's labels are stored once, whichever path brought them.
  ADD CONSTRAINT ground_truth_history_event UNIQUE NULLS NOT DISTINCT (event_id, prediction_id);

CREATE TABLE monitoring.ground_truth (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  prediction_id uuid,
  entity_id     text,
  label         text NOT NULL,
  positive      boolean,
  source        text NOT NULL,
  client_name   text NOT NULL,
  -- The event that carried the current label (FeedbackReceived, also for labels posted to monitoring).
  event_id      uuid NOT NULL,
  observed_at   timestamptz NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (prediction_id IS NOT NULL OR entity_id IS NOT NULL)
);
CREATE UNIQUE INDEX ground_truth_prediction ON monitoring.ground_truth (prediction_id) WHERE prediction_id IS NOT NULL;
CREATE UNIQUE INDEX ground_truth_unmatched_entity ON monitoring.ground_truth (entity_id) WHERE prediction_id IS NULL;
-- Labels that arrived before their prediction: the prediction consumer resolves them. Usually empty.
CREATE INDEX ground_truth_pending ON monitoring.ground_truth (prediction_id) WHERE positive IS NULL AND prediction_id IS NOT NULL;

INSERT INTO monitoring.ground_truth (prediction_id, entity_id, label, source, client_name, event_id, observed_at, recorded_at)
SELECT DISTINCT ON (prediction_id) prediction_id, entity_id, label, source, client_name, event_id, observed_at, recorded_at
  FROM monitoring.ground_truth_history WHERE prediction_id IS NOT NULL
 ORDER BY prediction_id, recorded_at DESC, id DESC;
INSERT INTO monitoring.ground_truth (prediction_id, entity_id, label, source, client_name, event_id, observed_at, recorded_at)
SELECT DISTINCT ON (entity_id) NULL, entity_id, label, source, client_name, event_id, observed_at, recorded_at
  FROM monitoring.ground_truth_history WHERE prediction_id IS NULL
 ORDER BY entity_id, recorded_at DESC, id DESC;

-- Down Migration
DROP TABLE monitoring.ground_truth;
ALTER TABLE monitoring.ground_truth_history DROP CONSTRAINT ground_truth_history_event, DROP COLUMN positive, DROP COLUMN id;
DELETE FROM monitoring.ground_truth_history a USING monitoring.ground_truth_history b
 WHERE a.event_id = b.event_id AND a.ctid > b.ctid;
ALTER TABLE monitoring.ground_truth_history ADD CONSTRAINT ground_truth_pkey PRIMARY KEY (event_id);
ALTER INDEX monitoring.ground_truth_history_prediction RENAME TO ground_truth_prediction;
ALTER INDEX monitoring.ground_truth_history_entity RENAME TO ground_truth_entity;
ALTER TABLE monitoring.ground_truth_history RENAME COLUMN observed_at TO occurred_at;
ALTER TABLE monitoring.ground_truth_history RENAME TO ground_truth;
