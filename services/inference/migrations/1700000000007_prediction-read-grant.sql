-- Up Migration
-- GET /v1/xray/studies/{id} (ingestion) answers with the prediction that inference's xray-received
-- consumer made for the study: it reads inference.predictions by entity_id = the study id. Read
-- only; the audit trail stays inference's to write.
GRANT USAGE ON SCHEMA inference TO vigil_ingestion;
GRANT SELECT ON inference.predictions TO vigil_ingestion;

-- Down Migration
REVOKE SELECT ON inference.predictions FROM vigil_ingestion;
REVOKE USAGE ON SCHEMA inference FROM vigil_ingestion;
