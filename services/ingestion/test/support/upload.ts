import type { VigilApp } from '@vigil/common';

/** POSTs a churn table the way a client would: CSV body, JSON rows, or a multipart form. */
export function uploader(app: VigilApp, key: string) {
  const post = (payload: string | Buffer, contentType: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/datasets/churn',
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
      payload,
    });
  return {
    csv: (body: string | Buffer) => post(body, 'text/csv'),
    json: (rows: unknown[]) => post(JSON.stringify({ rows }), 'application/json'),
    multipart: (file: string | Buffer, field = 'file') => {
      const boundary = '----vigil-test-boundary';
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="telco.csv"\r\nContent-Type: text/csv\r\n\r\n`),
        Buffer.from(file),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return post(body, `multipart/form-data; boundary=${boundary}`);
    },
    raw: post,
  };
}
