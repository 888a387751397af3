import { decodeEvent, isVigilError, TOPICS, VigilError, type InboxHandler } from '@vigil/common';
import { predictXray, XRAY_MODELS, type XrayDeps } from '../domain/predict-xray';

export const XRAY_RECEIVED_CONSUMER = 'inference.xray-received';

/**
 * vigil.xray.received.v1 → predictXray on the image ingestion stored (POST /v1/xray/studies,
 * STOW-RS), audited with entity_id = the study id, which GET /v1/xray/studies/{id} reads.
 *
 * Idempotency: predictXray commits its audit rows in the prediction store's own (group-commit)
 * transaction, not in the inbox transaction this handler runs in, so the two commits are apart: a
 * crash after the audit commit and before the inbox commit redelivers the event, and the inbox has
 * no record of it. Hence the lookup first: a study that already has its xray-pneumonia prediction
 * is skipped, and the redelivery makes no second prediction (nor a second alert).
 *
 * No live model is not the event's fault, so VIGIL_MODEL_NOT_READY is turned into an outage
 * (VIGIL_UNAVAILABLE): the inbox consumer then leaves the offset uncommitted and Kafka delivers the
 * event again, with the consumer's retry backoff, until a model is promoted, instead of
 * dead-lettering the study after a few tries (the inbox's canRetry budget, 3 × 200 ms, is meant for
 * blips). The partition waits meanwhile, which costs nothing: every study behind it needs the
 * model too.
 */
export function createXrayReceivedHandler(deps: XrayDeps): InboxHandler {
  return async (message, _tx, log) => {
    let event;
    try {
      event = decodeEvent(TOPICS.xrayReceived, message.value);
    } catch (err) {
      throw new VigilError('VIGIL_VALIDATION', `undecodable XrayReceived: ${(err as Error).message}`, { cause: err });
    }
    const studyId = event.imageId;
    if (!studyId || !event.sha256) throw new VigilError('VIGIL_VALIDATION', 'XrayReceived without image_id or sha256');
    const studyLog = log.child({ studyId });
    if (await deps.store.findByEntity(studyId, XRAY_MODELS.pneumonia)) {
      studyLog.info('study already predicted (redelivered event); skipped');
      return;
    }
    const image = await deps.images.get(event.sha256);
    // Ingestion writes the blob before it commits the event, so a missing blob was removed since
    // (or this replica's BLOB_STORE_DIR is not the shared one): waiting would not bring it back.
    if (!image) throw new VigilError('VIGIL_NOT_FOUND', `The image ${event.sha256} of study ${studyId} is not in the blob store`);
    try {
      const prediction = await predictXray(
        {
          image,
          requestId: message.eventId,
          clientName: event.clientName,
          // received_sha256 is new in the contract: older events carried only the stored hash.
          stored: { studyId, receivedSha256: event.receivedSha256 || event.sha256 },
        },
        deps,
      );
      studyLog.info({ predictionId: prediction.predictionId, confidence: prediction.confidence }, 'study predicted');
    } catch (err) {
      if (isVigilError(err) && err.code === 'VIGIL_MODEL_NOT_READY') {
        throw new VigilError('VIGIL_UNAVAILABLE', `${err.message}: the study waits for a live model`, { cause: err });
      }
      throw err;
    }
  };
}
