-- Up Migration
-- A job can produce several model versions (the xray pipeline trains xray-pneumonia and
-- xray-type together); model_name/model_version keep naming the first for older readers.
ALTER TABLE training.jobs ADD COLUMN models jsonb NOT NULL DEFAULT '[]'::jsonb;
UPDATE training.jobs SET models = jsonb_build_array(jsonb_build_object('name', j.model_name, 'version', j.model_version, 'sha256', v.sha256))
  FROM training.jobs j JOIN training.model_versions v ON v.name = j.model_name AND v.version = j.model_version
 WHERE training.jobs.id = j.id;

-- Down Migration
ALTER TABLE training.jobs DROP COLUMN models;
