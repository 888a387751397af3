-- Up Migration
-- Uploaded training tables. A dataset is immutable and identified by the hash of its canonical
-- content, so uploading the same table twice finds the first one instead of storing a copy.
CREATE TABLE ingestion.datasets (
  id          uuid PRIMARY KEY,
  kind        text NOT NULL,
  sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  row_count   integer NOT NULL CHECK (row_count > 0),
  client_name text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, sha256)
);

-- The rows of a churn dataset as validated: record holds the 21 Telco columns with typed values
-- (numbers as numbers, null for a blank TotalCharges); churn is the label, pulled out for queries.
CREATE TABLE ingestion.churn_rows (
  dataset_id  uuid NOT NULL REFERENCES ingestion.datasets (id),
  row_number  integer NOT NULL CHECK (row_number > 0),
  customer_id text NOT NULL,
  record      jsonb NOT NULL,
  churn       boolean NOT NULL,
  PRIMARY KEY (dataset_id, row_number),
  -- Validation already refuses duplicates; the constraint keeps the invariant if that ever slips.
  UNIQUE (dataset_id, customer_id)
);

-- Each customer's current feature record (label excluded): the row of the most recently
-- ingested dataset that contains the customer.
CREATE TABLE ingestion.churn_customers (
  customer_id text PRIMARY KEY,
  dataset_id  uuid NOT NULL REFERENCES ingestion.datasets (id),
  record      jsonb NOT NULL,
  updated_at  timestamptz NOT NULL
);

-- Other services read these tables directly (read-only) rather than through an API:
-- training reads the rows of the dataset it is asked to train on (DatasetIngested names it);
-- inference scores a customer from the stored record and reports which dataset it came from.
-- vigil_ingestion itself gets its rights from the default privileges of 1700000000003.
GRANT USAGE ON SCHEMA ingestion TO vigil_training, vigil_inference;
GRANT SELECT ON ingestion.datasets, ingestion.churn_rows TO vigil_training;
GRANT SELECT ON ingestion.churn_customers, ingestion.datasets TO vigil_inference;

-- Down Migration
DROP TABLE ingestion.churn_customers;
DROP TABLE ingestion.churn_rows;
DROP TABLE ingestion.datasets;
REVOKE USAGE ON SCHEMA ingestion FROM vigil_training, vigil_inference;
