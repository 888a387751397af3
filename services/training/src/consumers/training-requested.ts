import { decodeEvent, TOPICS, VigilError, type InboxHandler } from '@vigil/common';
import { requestRetraining, type RetrainingDeps } from '../domain/request-retraining';

export const TRAINING_REQUESTED_CONSUMER = 'training.training-requested';

/** vigil.training.requested.v1 → a queued job (retraining asked for by monitoring). */
export function createTrainingRequestedHandler(deps: RetrainingDeps): InboxHandler {
  return async (message, _tx, log) => {
    let event;
    try {
      event = decodeEvent(TOPICS.trainingRequested, message.value);
    } catch (err) {
      throw new VigilError('VIGIL_VALIDATION', `undecodable TrainingRequested: ${(err as Error).message}`, { cause: err });
    }
    const job = await requestRetraining(event, deps);
    if (job) log.info({ jobId: job.id, pipeline: job.pipeline, datasetId: job.datasetId, reason: job.reason }, 'retraining job queued');
  };
}
