-- Up Migration
-- Versions registered from outside (POST /v1/models/{name}/versions): a data scientist's ONNX
-- export, with no training job or Vigil dataset behind it. Their lineage is what the uploader
-- said (dataset sha256 or URI, code commit, run URI, author) plus the uploaded and served sha256;
-- upload_key (uploaded sha256 + config sha256) makes a repeated upload return the same version.
ALTER TABLE training.model_versions ALTER COLUMN job_id DROP NOT NULL;
ALTER TABLE training.model_versions ALTER COLUMN dataset_id DROP NOT NULL;
ALTER TABLE training.model_versions ALTER COLUMN dataset_sha256 DROP NOT NULL;
ALTER TABLE training.model_versions ADD COLUMN source text NOT NULL DEFAULT 'pipeline' CHECK (source IN ('pipeline', 'registered'));
ALTER TABLE training.model_versions ADD COLUMN lineage jsonb;
ALTER TABLE training.model_versions ADD COLUMN registered_by text;
ALTER TABLE training.model_versions ADD COLUMN upload_key text;
ALTER TABLE training.model_versions ADD CONSTRAINT model_versions_origin CHECK (
  (source = 'pipeline' AND job_id IS NOT NULL) OR (source = 'registered' AND upload_key IS NOT NULL AND registered_by IS NOT NULL));
CREATE UNIQUE INDEX model_versions_upload ON training.model_versions (name, upload_key) WHERE upload_key IS NOT NULL;

-- Down Migration
DELETE FROM training.deployments d USING training.model_versions v WHERE v.name = d.name AND v.version = d.version AND v.source = 'registered';
DELETE FROM training.model_versions WHERE source = 'registered';
DROP INDEX training.model_versions_upload;
ALTER TABLE training.model_versions DROP CONSTRAINT model_versions_origin;
ALTER TABLE training.model_versions DROP COLUMN upload_key, DROP COLUMN registered_by, DROP COLUMN lineage, DROP COLUMN source;
ALTER TABLE training.model_versions ALTER COLUMN dataset_sha256 SET NOT NULL;
ALTER TABLE training.model_versions ALTER COLUMN dataset_id SET NOT NULL;
ALTER TABLE training.model_versions ALTER COLUMN job_id SET NOT NULL;
