import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAlertWebhook } from '../../src/adapters/http/alert-webhook';
import type { AlertNotification } from '../../src/domain/ports';

const notification: AlertNotification = {
  alertId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f', kind: 'drift', severity: 'critical', model: { name: 'churn', version: '2' },
  predictionId: null, message: 'm', raisedAt: '2030-01-01T00:00:00.000Z',
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('alert webhook adapter', () => {
  test('a receiver that does not answer in time is a failed attempt naming the timeout, not a hang', async () => {
    const silent = createServer(() => undefined); // accepts, never answers
    const url = await listen(silent);
    try {
      const started = Date.now();
      const result = await createAlertWebhook({ url, timeoutMs: 300 }).send(notification);
      expect(result).toEqual({ ok: false, error: 'no answer within 300 ms' });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('a refused connection is a failed attempt naming the reason', async () => {
    const server = createServer();
    const url = await listen(server);
    await new Promise((resolve) => server.close(resolve)); // the port is now closed
    const result = await createAlertWebhook({ url, timeoutMs: 2000 }).send(notification);
    expect(result).toEqual({ ok: false, error: 'request failed: ECONNREFUSED' });
  });

  test('no signature header is sent without a secret', async () => {
    const headers: Record<string, unknown>[] = [];
    const server = createServer((req, res) => {
      headers.push(req.headers);
      req.resume().on('end', () => res.writeHead(204).end());
    });
    const url = await listen(server);
    try {
      expect(await createAlertWebhook({ url, timeoutMs: 2000 }).send(notification)).toEqual({ ok: true });
      expect(headers[0]).toMatchObject({ 'x-vigil-alert-id': notification.alertId, 'content-type': 'application/json' });
      expect(headers[0]).not.toHaveProperty('x-vigil-signature');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
