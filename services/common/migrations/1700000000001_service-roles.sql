-- Up Migration
-- The four service roles exist before any service schema is migrated, so a schema can grant
-- another service read access to a table (e.g. inference reading ingestion.churn_customers).
-- Roles are cluster-wide: tolerate ones created by another database on the same server.
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['vigil_ingestion', 'vigil_training', 'vigil_inference', 'vigil_monitoring'] LOOP
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    EXCEPTION WHEN duplicate_object THEN NULL;
    END;
    EXECUTE format('GRANT %I TO CURRENT_USER', r);
  END LOOP;
END $$;

-- Down Migration
SELECT 1;
