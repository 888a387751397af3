import pino, { type Logger, type LoggerOptions } from 'pino';

/**
 * pino options shared by every service. Authorization headers and anything that may carry patient
 * data are redacted; payloads are never logged. Pretty output is left to the operator
 * (`| pino-pretty`) because pino's docs advise against in-process pretty printing in production.
 */
export function loggerOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.apiKey', '*.patientName', '*.patientId'],
      censor: '[redacted]',
    },
  };
}

export function createLogger(service: string, level: string): Logger {
  return pino(loggerOptions(service, level));
}

export type { Logger };
