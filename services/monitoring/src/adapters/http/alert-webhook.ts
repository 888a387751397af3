import { createHmac } from 'node:crypto';
import type { AlertWebhook } from '../../domain/ports';

export const ALERT_ID_HEADER = 'x-vigil-alert-id';
export const SIGNATURE_HEADER = 'x-vigil-signature';

export interface AlertWebhookOptions {
  url: string;
  timeoutMs: number;
  /** When set, each request carries `x-vigil-signature: sha256=<hex HMAC-SHA256 of the body>`. */
  secret?: string;
}

/** Most of a failed answer's body kept in last_error: enough to read the receiver's reason. */
const ERROR_BODY_CHARS = 300;

/** POSTs alert notifications as JSON with Node's fetch; every failure becomes a result, never a throw. */
export function createAlertWebhook(options: AlertWebhookOptions): AlertWebhook {
  return {
    async send(notification) {
      const body = JSON.stringify(notification);
      const headers: Record<string, string> = { 'content-type': 'application/json', [ALERT_ID_HEADER]: notification.alertId };
      if (options.secret) headers[SIGNATURE_HEADER] = `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
      try {
        // The timeout covers the whole exchange, reading the answer's body included.
        const response = await fetch(options.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) });
        if (response.ok) {
          await response.body?.cancel();
          return { ok: true };
        }
        const text = (await response.text().catch(() => '')).slice(0, ERROR_BODY_CHARS);
        return { ok: false, error: `HTTP ${response.status}${text ? `: ${text}` : ''}` };
      } catch (err) {
        const error = err as Error & { cause?: { code?: string; message?: string } };
        if (error.name === 'TimeoutError') return { ok: false, error: `no answer within ${options.timeoutMs} ms` };
        // fetch reports network failures as "fetch failed" with the reason in `cause`.
        const reason = error.cause?.code ?? error.cause?.message ?? error.message;
        return { ok: false, error: `request failed: ${reason}` };
      }
    },
  };
}
