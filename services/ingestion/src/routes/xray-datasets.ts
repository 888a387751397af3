import multipart from '@fastify/multipart';
import { Type, type VigilRoutes } from '@vigil/common';
import { getXrayDataset } from '../domain/get-xray-dataset';
import { ingestXrayDataset, type IngestXrayDeps } from '../domain/ingest-xray-dataset';
import type { XrayDataset } from '../domain/xray-ports';
import { acceptArchiveBodies, ARCHIVE_MEDIA_TYPES, MEDIA_TYPES_TEXT, readXrayUpload } from './xray-upload';

export interface XrayDatasetRouteDeps {
  xray: IngestXrayDeps & { maxArchiveBytes: number };
}

// The body reaches the handler as a stream, so the schema constrains nothing (a `type` would fail
// against the stream). OpenAPI 3.1 describes raw binary content by its media type alone (Media
// Type Object, "Considerations for File Uploads").
const ArchiveBody = Type.Unsafe<unknown>({ description: 'A tar or zip archive: manifest.csv and the PNG/JPEG images' });
const MultipartForm = Type.Unsafe<unknown>({
  type: ['object', 'null'],
  properties: { file: { type: 'string', format: 'binary', description: 'The tar or zip archive' } },
});

const Labels = Type.Object({ NORMAL: Type.Integer(), PNEUMONIA: Type.Integer() });
const Subtypes = Type.Object({ normal: Type.Integer(), bacterial: Type.Integer(), viral: Type.Integer() });
const summaryFields = {
  datasetId: Type.String({ format: 'uuid' }),
  images: Type.Integer({ description: 'Images (manifest rows) stored' }),
  sha256: Type.String({
    description: 'SHA-256 (hex) of the sorted (path, label, subtype, patient_id, image sha256) rows: equal for the same images and labels in any archive',
  }),
  labels: Labels,
  subtypes: Subtypes,
};
export const XrayDatasetSummary = Type.Object(summaryFields);
const XrayDatasetDetail = Type.Object({
  ...summaryFields,
  createdAt: Type.String({ format: 'date-time' }),
  clientName: Type.String({ description: 'The API client that uploaded it' }),
});

const summary = (d: XrayDataset) => ({ datasetId: d.id, images: d.imageCount, sha256: d.sha256, labels: d.labels, subtypes: d.subtypes });

/** POST /v1/datasets/xray and GET /v1/datasets/xray/{id}: labelled chest X-rays to train on. */
export const xrayDatasetRoutes: VigilRoutes<XrayDatasetRouteDeps> = async (app, { xray }) => {
  acceptArchiveBodies(app);
  // Registered in this plugin only, as in churn-datasets.ts.
  await app.register(multipart);

  app.post(
    '/v1/datasets/xray',
    {
      config: { scopes: ['models:admin'] },
      schema: {
        tags: ['datasets'],
        summary: 'Upload a labelled chest X-ray training set',
        description:
          `Send ${MEDIA_TYPES_TEXT}. The archive holds manifest.csv (columns path, label, subtype, patient_id; ` +
          'others ignored; at the root or in one top folder) and the PNG/JPEG images it names. label is NORMAL or ' +
          'PNEUMONIA, subtype normal (NORMAL) or bacterial/viral (PNEUMONIA), any case. Every row is checked and an ' +
          'archive with any bad row is rejected whole (422, listing up to 100 errors by row number, from 1). Entries ' +
          'with absolute paths or ".." are refused (422). A tar is read as it arrives; a zip is read whole first. ' +
          'Uploading the same images and labels again returns the existing dataset (200).',
        body: {
          content: {
            ...Object.fromEntries(ARCHIVE_MEDIA_TYPES.map((type) => [type, { schema: ArchiveBody }])),
            'multipart/form-data': { schema: MultipartForm },
          },
        },
        response: {
          201: { description: 'A new dataset was stored', ...XrayDatasetSummary },
          200: { description: 'The same images and labels were uploaded before: that dataset', ...XrayDatasetSummary },
        },
      },
    },
    async (request, reply) => {
      const deps = xray;
      const entries = await readXrayUpload(request, deps.maxArchiveBytes);
      const { dataset, created } = await ingestXrayDataset(entries, request.client!.name, deps);
      return reply.code(created ? 201 : 200).header('location', `/v1/datasets/xray/${dataset.id}`).send(summary(dataset));
    },
  );

  app.get(
    '/v1/datasets/xray/:datasetId',
    {
      config: { scopes: ['models:admin'] },
      schema: {
        tags: ['datasets'],
        summary: 'A stored X-ray dataset',
        params: Type.Object({ datasetId: Type.String({ format: 'uuid' }) }),
        response: { 200: XrayDatasetDetail },
      },
    },
    async (request) => {
      const dataset = await getXrayDataset(request.params.datasetId, { store: xray.store });
      return { ...summary(dataset), createdAt: dataset.createdAt.toISOString(), clientName: dataset.clientName };
    },
  );
};
