-- Up Migration
-- Monitoring computes drift (PSI) from what the live predictions were given: the features of a
-- churn row (`input`), the image statistics of an X-ray (`input.stats`) and the probability in
-- `output`. It reads the newest rows of one model version at a time (predictions_by_model).
-- Read only; the audit trail stays inference's to write.
GRANT USAGE ON SCHEMA inference TO vigil_monitoring;
GRANT SELECT ON inference.predictions TO vigil_monitoring;

-- Down Migration
REVOKE SELECT ON inference.predictions FROM vigil_monitoring;
REVOKE USAGE ON SCHEMA inference FROM vigil_monitoring;
