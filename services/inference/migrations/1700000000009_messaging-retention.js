// Retention index for the inference inbox (shared definition: services/common/migrations-lib).
module.exports = require('../../common/migrations-lib/messaging-retention')('inference');
