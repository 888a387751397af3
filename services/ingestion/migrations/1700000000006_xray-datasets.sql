-- Up Migration
-- Uploaded X-ray training sets. Like ingestion.datasets, a dataset is immutable and identified by
-- the hash of its canonical content (sorted path, label, subtype, patient id, image sha256), so
-- uploading the same images and labels again finds the first one. The image bytes are not here:
-- they live in the content-addressed blob store (BLOB_STORE_DIR/sha256/ab/cd/<sha256>).
CREATE TABLE ingestion.xray_datasets (
  id             uuid PRIMARY KEY,
  sha256         text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  image_count    integer NOT NULL CHECK (image_count > 0),
  -- {"NORMAL": n, "PNEUMONIA": m} and {"normal": a, "bacterial": b, "viral": c}, as the API answers.
  label_counts   jsonb NOT NULL,
  subtype_counts jsonb NOT NULL,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per manifest row. path is relative to the manifest's folder; sha256 names the blob.
CREATE TABLE ingestion.xray_images (
  dataset_id uuid NOT NULL REFERENCES ingestion.xray_datasets (id),
  path       text NOT NULL,
  label      text NOT NULL CHECK (label IN ('NORMAL', 'PNEUMONIA')),
  subtype    text NOT NULL,
  patient_id text NOT NULL CHECK (patient_id <> ''),
  sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  media_type text NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg')),
  width      integer NOT NULL CHECK (width > 0),
  height     integer NOT NULL CHECK (height > 0),
  PRIMARY KEY (dataset_id, path),
  -- Validation already enforces it; the constraint keeps the invariant if that ever slips.
  CHECK ((label = 'NORMAL' AND subtype = 'normal') OR (label = 'PNEUMONIA' AND subtype IN ('bacterial', 'viral')))
);

-- Training reads the manifest rows of the dataset it trains on, and the images from the blob store.
-- vigil_ingestion itself gets its rights from the default privileges of 1700000000003.
GRANT SELECT ON ingestion.xray_datasets, ingestion.xray_images TO vigil_training;

-- Down Migration
REVOKE SELECT ON ingestion.xray_datasets, ingestion.xray_images FROM vigil_training;
DROP TABLE ingestion.xray_images;
DROP TABLE ingestion.xray_datasets;
