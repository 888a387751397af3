import { runService } from '@vigil/common';
import { buildApp } from './app';
import { ConfigSchema } from './config';

void runService({
  name: 'training',
  configSchema: ConfigSchema,
  async start(rt) {
    const app = await buildApp({ logger: rt.logger, metrics: rt.metrics, apiKeys: rt.apiKeys, readiness: rt.readiness });
    return { app };
  },
});
