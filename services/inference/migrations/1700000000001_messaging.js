// Outbox + inbox for the inference schema (shared definition: services/common/migrations-lib).
module.exports = require('../../common/migrations-lib/messaging')('inference');
