// Outbox + inbox for the training schema (shared definition: services/common/migrations-lib).
module.exports = require('../../common/migrations-lib/messaging')('training');
