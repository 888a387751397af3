// Retention index for the monitoring inbox (shared definition: services/common/migrations-lib).
module.exports = require('../../common/migrations-lib/messaging-retention')('monitoring');
