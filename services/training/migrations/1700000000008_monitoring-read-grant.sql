-- Up Migration
-- Monitoring computes drift (PSI) against the reference distributions training stores in each
-- version's config (config.reference), and lists a model's registered versions in its usage
-- report. Read only.
GRANT USAGE ON SCHEMA training TO vigil_monitoring;
GRANT SELECT ON training.model_versions TO vigil_monitoring;

-- Down Migration
REVOKE SELECT ON training.model_versions FROM vigil_monitoring;
REVOKE USAGE ON SCHEMA training FROM vigil_monitoring;
