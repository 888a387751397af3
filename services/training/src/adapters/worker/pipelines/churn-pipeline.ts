import { createHash } from 'node:crypto';
import { categoricalReference, CHURN_FEATURES, numericReference, predictProbability, type ChurnRow, type ReferenceProfile } from '@vigil/common';
import { trainChurnModel } from '../../../domain/churn/train-churn-model';
import type { TrainedModel } from '../../../domain/ports';
import { exportChurnOnnx } from '../../onnx/export-churn-onnx';

/** Pipeline "churn": one model, `churn`, exported as a self-contained ONNX graph over raw columns. */
export function runChurnPipeline(rows: ChurnRow[], seed: number, progress: (p: number) => void): TrainedModel[] {
  progress(0.05);
  const result = trainChurnModel(rows, { seed });
  progress(0.9);
  const onnx = exportChurnOnnx(result.spec);
  // Drift reference: every input feature and the score, on the rows the model was trained from.
  const reference: ReferenceProfile = {
    n: rows.length,
    features: CHURN_FEATURES.map((f) =>
      f.kind === 'categorical' ? categoricalReference(f.name, rows.map((r) => r[f.name])) : numericReference(f.name, rows.map((r) => r[f.name])),
    ),
    score: numericReference('score', rows.map((r) => predictProbability(result.spec, r))),
  };
  const { spec, threshold, holdout, ...report } = result;
  return [
    {
      name: 'churn',
      onnx,
      sha256: createHash('sha256').update(onnx).digest('hex'),
      seed: result.seed,
      metrics: {
        ...report.metrics,
        baseline: report.baseline,
        featureImportance: report.featureImportance,
        hyperParameters: report.hyperParameters,
        candidates: report.candidates,
        modelKind: report.kind,
        split: report.split,
        trainingTimeMs: report.trainingTimeMs,
        threshold,
      },
      config: {
        pipeline: 'churn',
        // Like any version, it says what it is: the Telco Churn column's values, the positive one second.
        task: 'binary-classification',
        classes: ['No', 'Yes'],
        positiveClass: 'Yes',
        threshold,
        inputs: CHURN_FEATURES.map((f) => ({ name: f.name, datatype: f.kind === 'categorical' ? 'BYTES' : 'FP32', shape: [-1, 1] })),
        outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }],
        spec,
        reference,
        // The parent fills in which dataset these customer ids belong to.
        holdout: { datasetId: '', ids: holdout.customerIDs },
      },
    },
  ];
}
