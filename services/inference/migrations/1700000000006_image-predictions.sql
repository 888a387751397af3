-- Up Migration
-- Image models: the sha256 of the bytes received is part of the audit trail, and replay finds the
-- image in the blob store by it.
ALTER TABLE inference.predictions ADD COLUMN image_sha256 text;
CREATE INDEX predictions_by_image ON inference.predictions (image_sha256) WHERE image_sha256 IS NOT NULL;

-- Down Migration
ALTER TABLE inference.predictions DROP COLUMN image_sha256;
