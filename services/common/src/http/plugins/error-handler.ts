import { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isInfrastructureOutage } from '../../errors/outage';
import { isVigilError, VigilError } from '../../errors/vigil-error';

export const PROBLEM_JSON = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  requestId: string;
  [extension: string]: unknown;
}

/** Maps fastify's own errors (validation, body parsing) onto Vigil's closed code list. */
function toVigilError(err: FastifyError): VigilError {
  if (isVigilError(err)) return err;
  if (err.validation) {
    return new VigilError('VIGIL_VALIDATION', err.message, {
      details: {
        errors: err.validation.map((v) => ({
          location: err.validationContext ?? 'body',
          pointer: v.instancePath || '/',
          message: v.message ?? 'is invalid',
        })),
      },
    });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new VigilError('VIGIL_UNSUPPORTED_MEDIA_TYPE', err.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new VigilError('VIGIL_PAYLOAD_TOO_LARGE', err.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new VigilError('VIGIL_VALIDATION', err.message);
  }
  if (err instanceof SyntaxError || (err.statusCode === 400 && err.code?.startsWith('FST_'))) {
    return new VigilError('VIGIL_VALIDATION', `Malformed request body: ${err.message}`);
  }
  if (err.statusCode === 503) return new VigilError('VIGIL_UNAVAILABLE', err.message);
  // A query cut by a database restart is the dependency's fault, not the request's: 503, retry.
  if (isInfrastructureOutage(err)) return new VigilError('VIGIL_UNAVAILABLE', 'A dependency is unavailable; retry shortly', { cause: err });
  return new VigilError('VIGIL_INTERNAL', 'Internal error', { cause: err });
}

export function problemFor(error: VigilError, request: FastifyRequest): Problem {
  return {
    ...(error.details ?? {}),
    // RFC 9457 §4.2: "about:blank" would force the title to be the HTTP phrase; a URN per code
    // gives clients a stable type to switch on.
    type: `urn:vigil:problem:${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    instance: request.url,
    code: error.code,
    requestId: String(request.id),
  };
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: VigilError): FastifyReply {
  if (error.status === 401) reply.header('www-authenticate', 'Bearer realm="vigil"');
  if (error.canRetry && error.status === 503) reply.header('retry-after', '5');
  return reply.code(error.status).type(PROBLEM_JSON).send(problemFor(error, request));
}

/** nginx's lingering_time: how long a refused upload may go on being read and discarded. */
const LINGER_MS = 30_000;

/**
 * A request refused before its body was read (413 on Content-Length, 401, 415): fastify asks for
 * Connection: close, and Node then closes a socket that still holds unread upload bytes, which
 * sends a TCP reset: a client still sending 60 MB saw EPIPE instead of the 413. Lingering close
 * instead: the answer goes out on a kept-alive connection, Node reads and discards the rest of
 * the body, and a client still sending after LINGER_MS is cut off.
 */
function lingerForBody(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  const socket = raw.socket;
  // app.inject() has no socket to linger on.
  if (!(socket instanceof Socket)) return;
  reply.removeHeader('connection');
  const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  const done = () => clearTimeout(timer);
  raw.once('end', done);
  raw.once('close', done);
  raw.resume();
}

/** One handler for every error: problem+json (RFC 9457), logged once with its request id. */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const error = toVigilError(err);
      if (error.status >= 500) request.log.error({ err }, 'request failed');
      else request.log.info({ code: error.code, detail: error.message }, 'request rejected');
      if (!request.raw.complete) lingerForBody(request, reply);
      return sendProblem(reply, request, error);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(reply, request, new VigilError('VIGIL_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`)),
    );
  },
  { name: 'vigil-error-handler' },
);
