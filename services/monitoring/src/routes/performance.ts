import { Type, type VigilRoutes } from '@vigil/common';
import { modelPerformance } from '../domain/measure-quality';
import type { PairReader, QualityReader, TaskConfigs } from '../domain/ports';
import type { VersionQuality } from '../domain/quality';
import type { TaskMetrics } from '../domain/task-quality';
import { parseWindow, WINDOW_PATTERN, type Window } from '../domain/windows';

const Num = (description?: string) => Type.Union([Type.Number(), Type.Null()], description ? { description } : {});

const VersionView = Type.Object({
  version: Type.String(),
  predictions: Type.Integer(),
  positiveRate: Num('Share of predictions that answered the positive class'),
  labelled: Type.Integer({ description: 'Predictions with a current label the model understands' }),
  confusion: Type.Object({ tp: Type.Integer(), fp: Type.Integer(), fn: Type.Integer(), tn: Type.Integer() }),
  metrics: Type.Object({
    accuracy: Num(), precision: Num(), recall: Num(), f1: Num(), falseNegativeRate: Num(), specificity: Num(),
    rocAuc: Num('On the newest labelled predictions, at most aucSample.size'), brier: Num(),
  }, { description: 'null where undefined (no labels, or no positive/negative among them)' }),
  baseline: Type.Object({
    majorityClass: Type.Union([Type.Literal('positive'), Type.Literal('negative'), Type.Null()], { description: 'Ties go to negative' }),
    accuracy: Num(), recall: Num(), specificity: Num(), rocAuc: Num(),
  }, { description: 'Always answering the majority class of the labelled predictions' }),
  belowBaseline: Type.Union([Type.Boolean(), Type.Null()], { description: 'Accuracy not above the baseline’s (≤): the model adds nothing over always answering the majority class' }),
  aucSample: Type.Object({ size: Type.Integer(), capped: Type.Boolean() }),
  task: Type.Union([Type.String(), Type.Null()], { description: 'The version\'s task, from its registry config' }),
  taskMetrics: Type.Optional(Type.Record(Type.String(), Type.Unknown(), {
    description: 'Multiclass: accuracy, macroF1, perClass precision/recall/f1, confusion[truth][answer]; regression: mae, rmse, r2, meanError',
  })),
});

const PerformanceView = Type.Object({
  model: Type.String(),
  window: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  versions: Type.Array(VersionView, { description: 'Versions with predictions in the window, newest first' }),
});

const view = (v: VersionQuality & { task: string | null; taskMetrics?: TaskMetrics }) => ({
  version: v.modelVersion,
  predictions: v.predictions,
  positiveRate: v.positiveRate,
  labelled: v.labelled,
  confusion: v.confusion,
  metrics: {
    accuracy: v.accuracy, precision: v.precision, recall: v.recall, f1: v.f1, falseNegativeRate: v.falseNegativeRate,
    specificity: v.specificity, rocAuc: v.rocAuc, brier: v.brier,
  },
  baseline: v.baseline,
  belowBaseline: v.belowBaseline,
  aucSample: v.aucSample,
  task: v.task,
  ...(v.taskMetrics ? { taskMetrics: v.taskMetrics as unknown as Record<string, unknown> } : {}),
});

export interface PerformanceRouteDeps {
  reader: QualityReader & PairReader;
  tasks: TaskConfigs;
  /** Used when the request names no window. */
  defaultWindow: Window;
}

/** GET /v1/monitoring/models/{name}/performance: quality per version over a window, beside the majority-class baseline. */
export const performanceRoutes: VigilRoutes<PerformanceRouteDeps> = async (app, deps) => {
  app.get(
    '/v1/monitoring/models/:name/performance',
    {
      config: { scopes: ['monitoring:read'] },
      schema: {
        tags: ['monitoring'],
        summary: 'Quality of a model per version over a window, against current ground truth',
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: Type.Object(
          {
            window: Type.Optional(Type.String({ pattern: WINDOW_PATTERN, description: 'Look-back window, e.g. 1h, 1d, 7d (default: the longest of MONITORING_WINDOWS)' })),
            version: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'One version only' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: PerformanceView },
      },
    },
    async (request) => {
      const window = request.query.window === undefined ? deps.defaultWindow : parseWindow(request.query.window);
      const report = await modelPerformance(deps.reader, { modelName: request.params.name, window, version: request.query.version }, deps.tasks);
      return { ...report, window: report.window.name, from: report.from.toISOString(), to: report.to.toISOString(), versions: report.versions.map(view) };
    },
  );
};
