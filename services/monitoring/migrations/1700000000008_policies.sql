-- Up Migration
-- Quality policies per model ("roc_auc < 0.80 over 1d, on at least 100 labels") and every breach
-- they raised. A breach is written in one transaction with its AlertRaised and (retrain) its
-- TrainingRequested in the outbox; at most one per policy per cooldown, across replicas (the
-- evaluator takes the policy's row lock). `revision` tells the evaluator whether the policy it
-- read is still the current one. "window" is reserved in SQL, hence window_name.
CREATE TABLE monitoring.policies (
  id               uuid PRIMARY KEY,
  model_name       text NOT NULL,
  metric           text NOT NULL CHECK (metric IN ('recall', 'precision', 'f1', 'roc_auc', 'specificity', 'false_negative_rate', 'brier', 'psi')),
  -- psi only: 'score' (the model's output) or an input feature.
  feature          text,
  comparator       text NOT NULL CHECK (comparator IN ('<', '>')),
  threshold        double precision NOT NULL,
  window_name      text NOT NULL,
  min_labelled     integer NOT NULL CHECK (min_labelled >= 0),
  cooldown_seconds integer NOT NULL CHECK (cooldown_seconds >= 0),
  severity         text NOT NULL CHECK (severity IN ('warning', 'critical')),
  enabled          boolean NOT NULL DEFAULT true,
  retrain          boolean NOT NULL DEFAULT true,
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_by       text NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  revision         integer NOT NULL DEFAULT 1,
  CHECK ((metric = 'psi') = (feature IS NOT NULL))
);
CREATE INDEX policies_model ON monitoring.policies (model_name, created_at);
CREATE INDEX policies_enabled ON monitoring.policies (model_name) WHERE enabled;

-- What the policy said when it breached is copied: the row outlives edits and deletion of the policy.
CREATE TABLE monitoring.policy_breaches (
  id              uuid PRIMARY KEY,
  policy_id       uuid REFERENCES monitoring.policies (id) ON DELETE SET NULL,
  model_name      text NOT NULL,
  model_version   text NOT NULL,
  metric          text NOT NULL,
  feature         text,
  comparator      text NOT NULL,
  value           double precision NOT NULL,
  threshold       double precision NOT NULL,
  window_name     text NOT NULL,
  labelled        integer NOT NULL,
  severity        text NOT NULL,
  -- The alert (monitoring.alerts.id once the alert-raised consumer stored it) and the training job it asked for.
  alert_id        uuid NOT NULL,
  training_job_id uuid,
  breached_at     timestamptz NOT NULL DEFAULT now()
);
-- The cooldown check and a policy's last breach.
CREATE INDEX policy_breaches_policy ON monitoring.policy_breaches (policy_id, breached_at DESC);
-- GET /v1/monitoring/models/{name}/breaches: newest first.
CREATE INDEX policy_breaches_model ON monitoring.policy_breaches (model_name, breached_at DESC, id DESC);

-- Down Migration
DROP TABLE monitoring.policy_breaches;
DROP TABLE monitoring.policies;
