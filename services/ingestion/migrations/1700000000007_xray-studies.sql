-- Up Migration
-- One row per chest X-ray sent for a prediction (POST /v1/xray/studies, DICOMweb STOW-RS), written
-- with its XrayReceived outbox event in one transaction. A DICOM is de-identified (PS3.15 basic
-- profile) before it is stored, so stored_sha256 names the de-identified blob and study_uid is the
-- re-mapped UID; received_sha256 is the hash of the bytes as they arrived. accession_number and
-- patient_ref are the caller's references: they stay in this table and never go on Kafka or into
-- logs. inference.predictions.entity_id = id links the prediction (GET /v1/xray/studies/{id}).
CREATE TABLE ingestion.xray_studies (
  id               uuid PRIMARY KEY,
  received_sha256  text NOT NULL CHECK (received_sha256 ~ '^[0-9a-f]{64}$'),
  stored_sha256    text NOT NULL CHECK (stored_sha256 ~ '^[0-9a-f]{64}$'),
  media_type       text NOT NULL CHECK (media_type IN ('application/dicom', 'image/png', 'image/jpeg')),
  study_uid        text CHECK (study_uid <> ''),
  accession_number text CHECK (accession_number <> ''),
  patient_ref      text CHECK (patient_ref <> ''),
  source           text NOT NULL CHECK (source IN ('upload', 'stow-rs')),
  client_name      text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  -- Only a DICOM has a Study Instance UID.
  CHECK ((media_type = 'application/dicom') = (study_uid IS NOT NULL))
);
CREATE INDEX xray_studies_by_study_uid ON ingestion.xray_studies (study_uid) WHERE study_uid IS NOT NULL;

-- Down Migration
DROP TABLE ingestion.xray_studies;
