/**
 * The child process that trains one model (see child-trainer.ts). It receives the rows over IPC,
 * trains, exports ONNX and sends the result back; the parent owns every write.
 */
import { createHash } from 'node:crypto';
import { CHURN_FEATURES, type ChurnRow } from '@vigil/common';
import { trainChurnModel } from '../../domain/churn/train-churn-model';
import { exportChurnOnnx } from '../onnx/export-churn-onnx';
import type { TrainingMessage } from './child-trainer';

const send = (msg: TrainingMessage) => process.send!(msg);

process.once('message', (msg: { pipeline: string; rows: ChurnRow[]; seed: number }) => {
  try {
    if (msg.pipeline !== 'churn') throw new Error(`pipeline ${msg.pipeline} is not implemented`);
    send({ type: 'progress', progress: 0.05 });
    const result = trainChurnModel(msg.rows, { seed: msg.seed });
    send({ type: 'progress', progress: 0.9 });
    const onnx = exportChurnOnnx(result.spec);
    const { spec, threshold, seed, holdout, ...report } = result;
    send({
      type: 'done',
      model: {
        onnxBase64: Buffer.from(onnx).toString('base64'),
        sha256: createHash('sha256').update(onnx).digest('hex'),
        seed,
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
          threshold,
          inputs: CHURN_FEATURES.map((f) => ({ name: f.name, datatype: f.kind === 'categorical' ? 'BYTES' : 'FP32', shape: [-1, 1] })),
          outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }],
          spec,
          // The parent fills in which dataset these customer ids belong to.
          holdout: { datasetId: '', ids: holdout.customerIDs },
        },
      },
    });
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
