// Role vigil_monitoring: writes the monitoring schema only (shared definition: services/common/migrations-lib).
module.exports = require('../../common/migrations-lib/service-role')('monitoring');
