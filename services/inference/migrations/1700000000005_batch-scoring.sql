-- Up Migration
-- Batch scoring jobs: next_row is the resume point, advanced in the same transaction as the
-- scores of each chunk, so a job restarted after a crash continues where it stopped.
CREATE TABLE inference.batch_jobs (
  id            uuid PRIMARY KEY,
  dataset_id    uuid NOT NULL,
  status        text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  total_rows    integer NOT NULL,
  next_row      integer NOT NULL DEFAULT 0,
  scored        integer NOT NULL DEFAULT 0,
  model_name    text NOT NULL,
  error         text,
  requested_by  text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  heartbeat_at  timestamptz,
  finished_at   timestamptz
);

-- What the retention team reads: one score per customer per job, with the model that made it.
CREATE TABLE inference.churn_scores (
  job_id        uuid NOT NULL REFERENCES inference.batch_jobs (id),
  customer_id   text NOT NULL,
  probability   double precision NOT NULL,
  churn         boolean NOT NULL,
  model_version integer NOT NULL,
  model_sha256  text NOT NULL,
  prediction_id uuid NOT NULL,
  scored_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, customer_id)
);

-- Down Migration
DROP TABLE inference.churn_scores;
DROP TABLE inference.batch_jobs;
