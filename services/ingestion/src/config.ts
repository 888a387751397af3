import { serviceConfigSchema } from '@vigil/common';

export const ConfigSchema = serviceConfigSchema(8081);
