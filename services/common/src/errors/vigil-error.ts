/**
 * The one error type of Vigil. Every failure a client or a consumer can see is a VigilError with a
 * code from this closed list; the HTTP error handler maps it to RFC 9457 problem+json and the Kafka
 * consumer uses `canRetry` to choose between retrying and dead-lettering.
 */
export const ERROR_CODES = {
  VIGIL_VALIDATION: { status: 400, title: 'Invalid request', canRetry: false },
  VIGIL_UNPROCESSABLE: { status: 422, title: 'Unprocessable content', canRetry: false },
  VIGIL_UNAUTHENTICATED: { status: 401, title: 'Authentication required', canRetry: false },
  VIGIL_FORBIDDEN: { status: 403, title: 'Forbidden', canRetry: false },
  VIGIL_NOT_FOUND: { status: 404, title: 'Not found', canRetry: false },
  VIGIL_CONFLICT: { status: 409, title: 'Conflict', canRetry: false },
  VIGIL_PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large', canRetry: false },
  VIGIL_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', canRetry: false },
  VIGIL_MODEL_NOT_READY: { status: 503, title: 'Model not ready', canRetry: true },
  VIGIL_UNAVAILABLE: { status: 503, title: 'Service unavailable', canRetry: true },
  VIGIL_CONFIG: { status: 500, title: 'Invalid configuration', canRetry: false },
  VIGIL_INTERNAL: { status: 500, title: 'Internal error', canRetry: false },
} as const;

export type VigilErrorCode = keyof typeof ERROR_CODES;

export interface VigilErrorOptions {
  /** Extra RFC 9457 extension members, e.g. `errors` for field-level validation failures. */
  details?: Record<string, unknown>;
  cause?: unknown;
  /** Overrides the code's default, e.g. a validation error that is transient. */
  canRetry?: boolean;
}

export class VigilError extends Error {
  readonly code: VigilErrorCode;
  readonly status: number;
  readonly title: string;
  readonly canRetry: boolean;
  readonly details?: Record<string, unknown>;

  constructor(code: VigilErrorCode, message: string, options: VigilErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.title = ERROR_CODES[code].title;
    this.canRetry = options.canRetry ?? ERROR_CODES[code].canRetry;
    this.details = options.details;
  }
}

export function isVigilError(err: unknown): err is VigilError {
  return err instanceof VigilError;
}
