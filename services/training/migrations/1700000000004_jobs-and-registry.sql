-- Up Migration
-- Training jobs: queued → running → succeeded | failed. heartbeat_at lets a restarted service
-- tell a job whose process died (stale heartbeat) from one still running elsewhere.
CREATE TABLE training.jobs (
  id            uuid PRIMARY KEY,
  pipeline      text NOT NULL,
  dataset_id    uuid NOT NULL,
  status        text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  progress      real NOT NULL DEFAULT 0,
  attempts      integer NOT NULL DEFAULT 0,
  error         text,
  metrics       jsonb,
  lineage       jsonb,
  model_name    text,
  model_version integer,
  requested_by  text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  heartbeat_at  timestamptz,
  finished_at   timestamptz
);
CREATE INDEX jobs_queued ON training.jobs (created_at) WHERE status = 'queued';

-- Every model version ever trained stays here (and its artifact in the model repository), so
-- any of them can be promoted again. The sha256 of model.onnx is part of a version's identity.
CREATE TABLE training.model_versions (
  name           text NOT NULL,
  version        integer NOT NULL,
  sha256         text NOT NULL,
  job_id         uuid NOT NULL REFERENCES training.jobs (id),
  dataset_id     uuid NOT NULL,
  dataset_sha256 text NOT NULL,
  metrics        jsonb NOT NULL,
  config         jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);

-- Deployment history: the live version of a model is its latest row. Never updated, only appended.
CREATE TABLE training.deployments (
  id               bigserial PRIMARY KEY,
  name             text NOT NULL,
  version          integer NOT NULL,
  previous_version integer,
  action           text NOT NULL CHECK (action IN ('promote', 'rollback')),
  actor            text NOT NULL,
  reason           text,
  forced           boolean NOT NULL DEFAULT false,
  deployed_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (name, version) REFERENCES training.model_versions (name, version)
);
CREATE INDEX deployments_by_name ON training.deployments (name, id DESC);

-- Inference loads the live versions at start (then follows model-deployed events).
GRANT USAGE ON SCHEMA training TO vigil_inference;
GRANT SELECT ON training.model_versions, training.deployments TO vigil_inference;

-- Down Migration
DROP TABLE training.deployments;
DROP TABLE training.model_versions;
DROP TABLE training.jobs;
