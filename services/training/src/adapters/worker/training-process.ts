/**
 * The child process that trains one job (see child-trainer.ts). It receives the training data over
 * IPC, trains, exports ONNX and sends the models back; the parent owns every database write.
 */
import type { TrainedModel } from '../../domain/ports';
import { toWire, type TrainingMessage, type TrainingOrder } from './child-trainer';
import { runChurnPipeline } from './pipelines/churn-pipeline';
import { runXrayPipeline } from './pipelines/xray-pipeline';

const send = (msg: TrainingMessage) => process.send!(msg);
const progress = (p: number) => send({ type: 'progress', progress: p });

async function train(order: TrainingOrder): Promise<TrainedModel[]> {
  const { data } = order;
  if (order.pipeline === 'churn' && data.kind === 'churn') return runChurnPipeline(data.rows, order.seed, progress);
  if (order.pipeline === 'xray' && data.kind === 'xray') return runXrayPipeline(data.images, order.seed, order.blobDir, order.xray, progress);
  throw new Error(`pipeline ${order.pipeline} cannot train on a ${data.kind} dataset`);
}

process.once('message', (order: TrainingOrder) => {
  train(order).then(
    (models) => send({ type: 'done', models: models.map(toWire) }),
    (err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
