/**
 * The index the retention pass over a service's inbox needs (src/outbox/messaging-retention.ts):
 * rows by when they were processed. The outbox needs none (it is pruned in seq order).
 */
module.exports = function messagingRetention(schema) {
  return {
    up(pgm) {
      pgm.sql(`
        CREATE INDEX inbox_by_processed_at ON ${schema}.inbox (processed_at);
      `);
    },
    down(pgm) {
      pgm.sql(`DROP INDEX ${schema}.inbox_by_processed_at;`);
    },
  };
};
