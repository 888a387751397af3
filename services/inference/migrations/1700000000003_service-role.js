// Role vigil_inference: writes the inference schema only (shared definition: services/common/migrations-lib).
module.exports = require('../../common/migrations-lib/service-role')('inference');
