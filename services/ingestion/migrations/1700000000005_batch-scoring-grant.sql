-- Up Migration
-- Inference's weekly batch job scores every customer row of a dataset.
GRANT SELECT ON ingestion.churn_rows TO vigil_inference;

-- Down Migration
REVOKE SELECT ON ingestion.churn_rows FROM vigil_inference;
