import multipart from '@fastify/multipart';
import { Type, type VigilRoutes } from '@vigil/common';
import { CHURN_COLUMNS } from '../domain/churn-table';
import { ingestChurnDataset, type IngestDatasetDeps } from '../domain/ingest-churn-dataset';
import { MAX_UPLOAD_BYTES, MEDIA_TYPES, MULTIPART_LIMITS, readChurnUpload } from './churn-upload';

// Only the shape is checked here; the cells are validated by the domain, which reports every bad
// row by number (422) instead of the schema's first-errors-only 400.
const JsonTable = Type.Object(
  {
    rows: Type.Array(Type.Object({}, { additionalProperties: true }), {
      description: `One object per customer with the Telco keys ${CHURN_COLUMNS.join(', ')}; numbers may be JSON numbers or numeric strings`,
    }),
  },
  { additionalProperties: false },
);

const CsvFile = Type.String({ description: 'The Telco CSV: a header with the 21 columns (any order), CRLF or LF line ends, UTF-8' });

// @fastify/multipart leaves the body unparsed (the handler streams the file), so fastify validates
// `null` here: the schema allows it and exists to document the part.
const MultipartForm = Type.Unsafe<unknown>({
  type: ['object', 'null'],
  properties: { file: { type: 'string', format: 'binary', description: 'The Telco CSV file' } },
});

export const DatasetSummary = Type.Object({
  datasetId: Type.String({ format: 'uuid' }),
  rows: Type.Integer({ description: 'Data rows stored' }),
  sha256: Type.String({ description: 'SHA-256 (hex) of the canonical rows: equal for the same table sent as CRLF or LF CSV, or as JSON' }),
});

/** POST /v1/datasets/churn: an ML engineer uploads a labelled Telco table to train on. */
export const churnDatasetRoutes: VigilRoutes<IngestDatasetDeps> = async (app, deps) => {
  // The text as is: parsing it belongs to the domain, where a bad row gets its number. fastify
  // decodes UTF-8 and enforces the route's bodyLimit while reading.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  // Registered in this plugin only: no other route accepts multipart bodies.
  await app.register(multipart, { limits: MULTIPART_LIMITS });

  app.post(
    '/v1/datasets/churn',
    {
      // Applies to the text/csv and JSON parsers; multipart files are capped by MULTIPART_LIMITS.
      bodyLimit: MAX_UPLOAD_BYTES,
      config: { scopes: ['models:admin'] },
      schema: {
        tags: ['datasets'],
        summary: 'Upload a Telco churn training table',
        description:
          `Send ${MEDIA_TYPES}. Every row is validated and a table with any bad row is rejected whole ` +
          '(422, listing up to 100 errors by data row number, from 1). The rows become the customers\u2019 ' +
          'current feature records. Uploading the same table again returns the existing dataset (200).',
        body: {
          content: {
            'text/csv': { schema: CsvFile },
            'multipart/form-data': { schema: MultipartForm },
            'application/json': { schema: JsonTable },
          },
        },
        response: {
          201: { description: 'A new dataset was stored', ...DatasetSummary },
          200: { description: 'The same table was uploaded before: that dataset', ...DatasetSummary },
        },
      },
    },
    async (request, reply) => {
      const upload = await readChurnUpload(request);
      const { dataset, created } = await ingestChurnDataset(upload, request.client!.name, deps);
      return reply
        .code(created ? 201 : 200)
        .header('location', `/v1/datasets/${dataset.id}`)
        .send({ datasetId: dataset.id, rows: dataset.rowCount, sha256: dataset.sha256 });
    },
  );
};
