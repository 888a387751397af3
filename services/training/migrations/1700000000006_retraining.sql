-- Up Migration
-- Why a job runs: 'api' (a person), or the reason of the training-requested event that asked for it
-- (e.g. 'policy_breach:recall'). Versions from a non-API job wait for approval unless the model
-- auto-promotes.
ALTER TABLE training.jobs ADD COLUMN reason text NOT NULL DEFAULT 'api';

-- Per-model registry settings, edited over the API.
CREATE TABLE training.model_settings (
  name         text PRIMARY KEY,
  auto_promote boolean NOT NULL DEFAULT false,
  updated_by   text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE training.model_settings;
ALTER TABLE training.jobs DROP COLUMN reason;
