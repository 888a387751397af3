import { CHURN_ID_COLUMN, validateChurnRow, VigilError, type ChurnRow } from '@vigil/common';
import type { LiveModels } from './live-models';
import type { Tensor } from './ports';
import { MAX_BATCH, runInference, type InferenceDeps } from './run-inference';

export const CHURN_MODEL = 'churn';
const MAX_ERRORS = 50;

export interface ChurnScore {
  customerID: string;
  probability: number;
  churn: boolean;
  predictionId: string;
  explanation: { feature: string; contribution: number }[];
}

/** Rows → one tensor per model input, [N, 1] each; a blank number is null (NaN in the graph). */
function toTensors(live: LiveModels, rows: ChurnRow[]): Tensor[] {
  const model = live.get(CHURN_MODEL);
  if (!model) throw new VigilError('VIGIL_MODEL_NOT_READY', 'No churn model is live yet');
  return model.config.inputs.map((spec) => ({
    name: spec.name,
    datatype: spec.datatype,
    shape: [rows.length, 1],
    data: rows.map((r) => {
      const v = r[spec.name];
      if (spec.datatype === 'BYTES') return String(v ?? '');
      return v === null || v === undefined || (typeof v === 'string' && v.trim() === '') ? null : Number(v);
    }),
  }));
}

/**
 * POST /v1/churn/score and GET /v1/churn/customers/{id}/score: Telco rows in, audited scores
 * with explanations out. Every row is checked first; one bad row rejects the request (422) with
 * the row numbers, before anything is scored.
 */
export async function scoreChurn(
  rows: ChurnRow[],
  ctx: { requestId: string; clientName: string },
  deps: InferenceDeps,
): Promise<{ model: { name: string; version: number; sha256: string }; predictions: ChurnScore[] }> {
  if (rows.length < 1 || rows.length > MAX_BATCH) throw new VigilError('VIGIL_VALIDATION', `Send 1 to ${MAX_BATCH} customers`);
  const problemsOf = (r: ChurnRow) => [
    ...(typeof r?.[CHURN_ID_COLUMN] === 'string' && r[CHURN_ID_COLUMN] !== '' ? [] : [`${CHURN_ID_COLUMN}: must be a non-empty string`]),
    ...validateChurnRow(r),
  ];
  const errors = rows.flatMap((r, i) => problemsOf(r).map((problem) => ({ row: i + 1, customerID: r?.[CHURN_ID_COLUMN] ?? null, problem })));
  if (errors.length > 0) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `${errors.length} problem(s) in the customers (rows are numbered from 1)`, {
      details: { errors: errors.slice(0, MAX_ERRORS), errorCount: errors.length },
    });
  }
  const result = await runInference(
    {
      modelName: CHURN_MODEL,
      inputs: toTensors(deps.live, rows),
      requestId: ctx.requestId,
      clientName: ctx.clientName,
      entityIds: rows.map((r) => String(r[CHURN_ID_COLUMN])),
    },
    deps,
  );
  return {
    model: result.model,
    predictions: result.predictions.map((p) => ({
      customerID: p.entityId ?? '',
      probability: p.output.probability as number,
      churn: p.output.churn as boolean,
      predictionId: p.id,
      explanation: p.output.explanation as ChurnScore['explanation'],
    })),
  };
}
