import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ApiKeyStore } from '../auth/api-key-store';
import { authPlugin } from './plugins/auth';
import { VigilError } from '../errors/vigil-error';
import { errorHandlerPlugin, sendProblem } from './plugins/error-handler';
import { healthPlugin, type ReadinessCheck } from './plugins/health';
import { metricsPlugin } from './plugins/metrics';
import { openApiPlugin } from './plugins/openapi';
import { REQUEST_ID_HEADER, requestContextPlugin } from './plugins/request-context';

export type VigilApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface ServiceAppOptions {
  service: string;
  version?: string;
  logger: Logger;
  metrics: Registry;
  apiKeys: ApiKeyStore;
  readiness: Record<string, ReadinessCheck>;
  bodyLimit?: number;
}

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The shell every Vigil service shares: logging with request ids, problem+json errors, metrics,
 * health, OpenAPI and API-key auth, registered in fastify's documented order. Services add their
 * routes to what this returns; nothing here opens a connection.
 */
export async function createServiceApp(options: ServiceAppOptions): Promise<VigilApp> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Accept the caller's request id so one id follows a request across services; anything odd
    // is replaced rather than echoed into logs and headers.
    genReqId: (req) => {
      const incoming = req.headers[REQUEST_ID_HEADER];
      return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // fastify's own 503 while closing is plain JSON; the onRequest hook below answers problem+json.
    return503OnClosing: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // fastify parses text/plain by default; Vigil's endpoints take JSON (or declare their own media
  // types), so a text body is answered 415 rather than failing schema validation with a vague 400.
  app.removeContentTypeParser('text/plain');
  await app.register(errorHandlerPlugin);
  // After SIGTERM, requests still arriving on kept-alive sockets are told to go elsewhere (503,
  // problem+json, Connection: close) while the ones in flight finish.
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!draining) return;
    reply.header('connection', 'close');
    return sendProblem(reply, request, new VigilError('VIGIL_UNAVAILABLE', 'The service is shutting down; retry on another instance'));
  });
  // Node's server.close() closes the connections idle at that moment only; one whose request was
  // still in flight became idle later, stayed open on the client's keep-alive, and held the
  // shutdown until SHUTDOWN_TIMEOUT_MS forced it. Answers sent while draining close their socket.
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
  await app.register(requestContextPlugin);
  await app.register(metricsPlugin, { registry: options.metrics });
  await app.register(openApiPlugin, { title: `Vigil ${options.service}`, version: options.version ?? '0.1.0' });
  await app.register(healthPlugin, { checks: options.readiness });
  await app.register(authPlugin, { apiKeys: options.apiKeys });

  app.get(
    '/v1/whoami',
    {
      schema: {
        tags: ['auth'],
        summary: 'The client an API key belongs to',
        response: { 200: Type.Object({ client: Type.String(), scopes: Type.Array(Type.String()) }) },
      },
    },
    async (request) => ({ client: request.client!.name, scopes: request.client!.scopes }),
  );
  return app;
}
