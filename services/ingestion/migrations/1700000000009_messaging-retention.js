// Retention index for the ingestion inbox (shared definition: services/common/migrations-lib).
module.exports = require('../../common/migrations-lib/messaging-retention')('ingestion');
