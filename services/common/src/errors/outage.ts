import { isVigilError } from './vigil-error';

// node-postgres reports a dropped connection by message only (no SQLSTATE, no errno): a server
// restart ends every backend with 57P01, and the clients then fail with these.
const PG_CONNECTION_MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect|Client was closed/;

/**
 * Postgres or Kafka being down: not the request's or the message's fault. HTTP answers 503 and the
 * consumers let the message come back instead of dead-lettering it.
 */
export function isInfrastructureOutage(err: unknown): boolean {
  if (isVigilError(err)) return err.code === 'VIGIL_UNAVAILABLE';
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  // SQLSTATE class 08 (connection exception), 57P01..03 (server shutting down), socket errors.
  if (typeof code === 'string' && (/^08/.test(code) || /^57P0[1-3]$/.test(code) || /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT)$/.test(code))) return true;
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.test(message);
}
