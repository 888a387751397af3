// Retention index for the training inbox (shared definition: services/common/migrations-lib).
module.exports = require('../../common/migrations-lib/messaging-retention')('training');
