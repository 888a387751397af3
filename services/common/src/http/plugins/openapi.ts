import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface OpenApiPluginOptions {
  title: string;
  version: string;
}

/** OpenAPI 3 generated from the routes' TypeBox schemas; UI at /docs, document at /docs/json. */
export const openApiPlugin = fp<OpenApiPluginOptions>(
  async (app: FastifyInstance, { title, version }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title, version },
        components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Vigil API key' } } },
        security: [{ apiKey: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'vigil-openapi' },
);
