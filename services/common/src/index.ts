/** @vigil/common — the one shared package. Import by name: `import { VigilError } from '@vigil/common'`. */
export * from './errors/vigil-error';
export * from './config/load-config';
export * from './logging/logger';
export * from './metrics/registry';
export * from './postgres/pool';
export * from './postgres/migrate';
export * from './kafka/ports';
export * from './kafka/kafkajs-bus';
export * from './outbox/outbox';
export * from './outbox/outbox-relay';
export * from './outbox/inbox-consumer';
export * from './outbox/stage-event';
export * from './auth/scopes';
export * from './auth/api-key-store';
export * from './http/create-service-app';
export * from './http/plugins/error-handler';
export * from './http/plugins/health';
export * from './runtime/run-service';
export * from './runtime/topics';
export * from './events';
// Services declare routes with these, so that fastify's TypeBox wiring lives in one package.
export type { FastifyPluginAsyncTypebox as VigilRoutes } from '@fastify/type-provider-typebox';
export { Type, type Static, type TSchema } from '@sinclair/typebox';
export { timestampDate } from '@bufbuild/protobuf/wkt';
export * from './ml';
export * from './runtime/polling-worker';
