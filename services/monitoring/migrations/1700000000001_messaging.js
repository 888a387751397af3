// Outbox + inbox for the monitoring schema (shared definition: services/common/migrations-lib).
module.exports = require('../../common/migrations-lib/messaging')('monitoring');
