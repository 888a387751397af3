-- Up Migration
-- API keys are stored as SHA-256 of the key: keys are 256-bit random tokens, so a slow password
-- hash adds nothing and would cost a bcrypt round on every request.
CREATE TABLE iam.api_keys (
  id          uuid PRIMARY KEY,
  client_name text NOT NULL,
  key_hash    text NOT NULL UNIQUE,
  key_prefix  text NOT NULL,
  scopes      text[] NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

-- Down Migration
DROP TABLE iam.api_keys;
