// Role vigil_training: writes the training schema only (shared definition: services/common/migrations-lib).
module.exports = require('../../common/migrations-lib/service-role')('training');
