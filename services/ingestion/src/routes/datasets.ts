import { Type, type VigilRoutes } from '@vigil/common';
import { getDataset } from '../domain/get-dataset';
import type { DatasetStore } from '../domain/ports';

const Dataset = Type.Object({
  datasetId: Type.String({ format: 'uuid' }),
  kind: Type.String({ description: 'e.g. "churn"' }),
  rows: Type.Integer(),
  sha256: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  clientName: Type.String({ description: 'The API client that uploaded it' }),
});

/** GET /v1/datasets/{datasetId}: what was stored under an id returned by an upload. */
export const datasetRoutes: VigilRoutes<{ store: DatasetStore }> = async (app, deps) => {
  app.get(
    '/v1/datasets/:datasetId',
    {
      config: { scopes: ['models:admin'] },
      schema: {
        tags: ['datasets'],
        summary: 'A stored dataset',
        params: Type.Object({ datasetId: Type.String({ format: 'uuid' }) }),
        response: { 200: Dataset },
      },
    },
    async (request) => {
      const dataset = await getDataset(request.params.datasetId, deps);
      return {
        datasetId: dataset.id,
        kind: dataset.kind,
        rows: dataset.rowCount,
        sha256: dataset.sha256,
        createdAt: dataset.createdAt.toISOString(),
        clientName: dataset.clientName,
      };
    },
  );
};
