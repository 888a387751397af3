// Role vigil_ingestion: writes the ingestion schema only (shared definition: services/common/migrations-lib).
module.exports = require('../../common/migrations-lib/service-role')('ingestion');
