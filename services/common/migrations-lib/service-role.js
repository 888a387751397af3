/**
 * The database role of a service: vigil_<schema> may read and write its own schema (tables that
 * exist now and tables later migrations create) and read/register API keys, and nothing else.
 * Each service runs its queries under this role (SET ROLE on every connection), so "each service
 * writes only its own schema" is enforced by Postgres rather than by convention.
 * Roles are cluster-wide; creation tolerates one left by another database on the same server.
 */
module.exports = function serviceRole(schema) {
  const role = `vigil_${schema}`;
  return {
    up(pgm) {
      pgm.sql(`
        DO $$ BEGIN CREATE ROLE ${role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
        GRANT ${role} TO CURRENT_USER;
        GRANT USAGE ON SCHEMA ${schema} TO ${role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role};
        ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role};
        ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${role};
        GRANT USAGE ON SCHEMA iam TO ${role};
        GRANT SELECT, INSERT ON iam.api_keys TO ${role};
      `);
    },
    down(pgm) {
      pgm.sql(`
        REVOKE ALL ON iam.api_keys FROM ${role};
        REVOKE USAGE ON SCHEMA iam FROM ${role};
        ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} REVOKE ALL ON TABLES FROM ${role};
        ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} REVOKE ALL ON SEQUENCES FROM ${role};
        REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${role};
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${schema} FROM ${role};
        REVOKE USAGE ON SCHEMA ${schema} FROM ${role};
      `);
    },
  };
};
