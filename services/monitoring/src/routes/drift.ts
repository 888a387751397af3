import { Type, type VigilRoutes } from '@vigil/common';
import type { DriftReader } from '../domain/drift-ports';
import { DRIFT_ROW_CAP, modelDrift } from '../domain/measure-drift';
import { parseWindow, WINDOW_PATTERN, type Window } from '../domain/windows';

const Psi = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

const DriftView = Type.Object({
  model: Type.String(),
  version: Type.String(),
  window: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  n: Type.Integer({ description: `Live predictions compared: the newest of the window, at most ${DRIFT_ROW_CAP}` }),
  capped: Type.Boolean({ description: 'The window held more predictions than were compared' }),
  score: Psi('PSI of the positive-class probability; null without predictions'),
  features: Type.Array(Type.Object({ feature: Type.String(), psi: Psi('null without predictions') }), {
    description: 'PSI per input feature (image statistics for X-ray models); < 0.1 stable, 0.1–0.2 moderate, > 0.2 significant shift',
  }),
});

export interface DriftRouteDeps {
  reader: DriftReader;
  /** Used when the request names no window. */
  defaultWindow: Window;
}

/** GET /v1/monitoring/models/{name}/drift: PSI of one version's live inputs and scores against its training reference. */
export const driftRoutes: VigilRoutes<DriftRouteDeps> = async (app, deps) => {
  app.get(
    '/v1/monitoring/models/:name/drift',
    {
      config: { scopes: ['monitoring:read'] },
      schema: {
        tags: ['monitoring'],
        summary: 'Drift (PSI) of a model version’s inputs and scores over a window, against the distributions it was trained on',
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: Type.Object(
          {
            window: Type.Optional(Type.String({ pattern: WINDOW_PATTERN, description: 'Look-back window, e.g. 1h, 1d, 7d (default: the longest of MONITORING_WINDOWS)' })),
            version: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'Default: the version that made the newest prediction' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: DriftView },
      },
    },
    async (request) => {
      const window = request.query.window === undefined ? deps.defaultWindow : parseWindow(request.query.window);
      const drift = await modelDrift(deps.reader, { modelName: request.params.name, window, version: request.query.version });
      return { ...drift, window: drift.window.name, from: drift.from.toISOString(), to: drift.to.toISOString() };
    },
  );
};
