// Outbox + inbox for the ingestion schema (shared definition: services/common/migrations-lib).
module.exports = require('../../common/migrations-lib/messaging')('ingestion');
