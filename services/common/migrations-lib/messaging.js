/**
 * Outbox and inbox tables, identical in every service schema. Kept in one place so that the four
 * service migrations that create them cannot drift apart; plain JS because node-pg-migrate loads
 * migration files with require().
 */
module.exports = function messagingTables(schema) {
  return {
    up(pgm) {
      pgm.sql(`
        CREATE TABLE ${schema}.outbox (
          seq        bigserial PRIMARY KEY,
          event_id   uuid NOT NULL UNIQUE,
          topic      text NOT NULL,
          msg_key    text,
          payload    bytea NOT NULL,
          headers    jsonb NOT NULL DEFAULT '{}'::jsonb,
          created_at timestamptz NOT NULL DEFAULT now(),
          sent_at    timestamptz,
          attempts   integer NOT NULL DEFAULT 0,
          last_error text
        );
        -- The relay only ever scans unsent rows, in order.
        CREATE INDEX outbox_unsent ON ${schema}.outbox (seq) WHERE sent_at IS NULL;
        CREATE TABLE ${schema}.inbox (
          consumer     text NOT NULL,
          event_id     uuid NOT NULL,
          topic        text NOT NULL,
          processed_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (consumer, event_id)
        );
      `);
    },
    down(pgm) {
      pgm.sql(`DROP TABLE ${schema}.inbox; DROP TABLE ${schema}.outbox;`);
    },
  };
};
