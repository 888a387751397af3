import { isVigilError, VigilError, type VigilErrorCode } from '@vigil/common';
import { acceptStudy, type AcceptStudyDeps } from './accept-study';
import type { DicomIdentity, XrayStudy } from './study-ports';

/**
 * DICOM status codes a STOW-RS answer gives per instance (PS3.18 10.5.3, with the C-STORE codes
 * of PS3.4 Annex B it reuses): Failure Reason (0008,1197) and Warning Reason (0008,1196).
 */
export const FAILURE = {
  processingFailure: 0x0110,
  sopClassNotSupported: 0x0122,
  outOfResources: 0xa700,
  // PS3.18 has no code of its own for an instance whose Study Instance UID is not the study the
  // request was addressed to; "Data Set does not match SOP Class" is the closest standard one.
  dataSetDoesNotMatch: 0xa900,
  cannotUnderstand: 0xc000,
  transferSyntaxNotSupported: 0xc122,
} as const;
/** Stored, with elements changed: every DICOM is de-identified (PS3.15) before it is stored. */
export const WARNING_COERCION = 0xb000;

/** One part of the request body. */
export interface StowInstance {
  bytes: Uint8Array;
  /** The part's media type without parameters, or null when it gave none (the request's type applies). */
  mediaType: string | null;
}

export type StowOutcome =
  | ({ stored: true; study: XrayStudy; warningReason: number } & DicomIdentity)
  | ({ stored: false; failureReason: number; error: VigilError } & DicomIdentity);

export interface StowRequest {
  clientName: string;
  /** From POST /dicomweb/studies/{studyUID}: every instance must belong to this study (as sent). */
  studyInstanceUid?: string;
}

/**
 * STOW-RS Store Instances: each DICOM instance of the request goes through acceptStudy on its own,
 * one after the other (bounded memory: one decode at a time), and gets its own outcome, so that a
 * bad instance does not fail the good ones beside it.
 */
export async function storeInstances(instances: readonly StowInstance[], request: StowRequest, deps: AcceptStudyDeps): Promise<StowOutcome[]> {
  const outcomes: StowOutcome[] = [];
  for (const instance of instances) outcomes.push(await storeOne(instance, request, deps));
  return outcomes;
}

async function storeOne(instance: StowInstance, request: StowRequest, deps: AcceptStudyDeps): Promise<StowOutcome> {
  let identity: DicomIdentity = {};
  try {
    if (instance.mediaType !== null && instance.mediaType !== 'application/dicom') {
      throw refusal(FAILURE.cannotUnderstand, 'VIGIL_UNSUPPORTED_MEDIA_TYPE', `A part of type ${instance.mediaType}: send each instance as application/dicom`);
    }
    try {
      identity = deps.codec.identify(instance.bytes);
    } catch (err) {
      // Not readable as DICOM at all: nothing the sender could be told about it but that.
      throw isVigilError(err) && err.code !== 'VIGIL_PAYLOAD_TOO_LARGE' ? refusal(FAILURE.cannotUnderstand, err.code, err.message) : err;
    }
    if (request.studyInstanceUid && identity.studyInstanceUid !== request.studyInstanceUid) {
      throw refusal(FAILURE.dataSetDoesNotMatch, 'VIGIL_CONFLICT', 'The instance belongs to another study than the one the request is addressed to');
    }
    const study = await acceptStudy({ bytes: instance.bytes, source: 'stow-rs', clientName: request.clientName }, deps);
    return { stored: true, study, warningReason: WARNING_COERCION, ...identity };
  } catch (err) {
    const error = isVigilError(err) ? err : new VigilError('VIGIL_INTERNAL', 'The instance could not be stored', { cause: err });
    return { stored: false, failureReason: failureReason(error), error, ...identity };
  }
}

class Refusal extends VigilError {
  constructor(readonly reason: number, code: VigilErrorCode, message: string) {
    super(code, message);
  }
}
const refusal = (reason: number, code: VigilErrorCode, message: string) => new Refusal(reason, code, message);

/** A VigilError from the image checks, the blob store or Postgres, as a Failure Reason. */
function failureReason(error: VigilError): number {
  if (error instanceof Refusal) return error.reason;
  switch (error.code) {
    case 'VIGIL_VALIDATION':
      return FAILURE.cannotUnderstand;
    case 'VIGIL_UNSUPPORTED_MEDIA_TYPE':
      // The object was read as DICOM (identify passed): what is unsupported is its transfer syntax.
      return FAILURE.transferSyntaxNotSupported;
    case 'VIGIL_UNPROCESSABLE':
      // No pixel data (an SR, an RT plan…): a SOP class that holds no image to predict on.
      return error.details?.reason === 'no-pixel-data' ? FAILURE.sopClassNotSupported : FAILURE.dataSetDoesNotMatch;
    case 'VIGIL_PAYLOAD_TOO_LARGE':
    case 'VIGIL_UNAVAILABLE':
      return FAILURE.outOfResources;
    default:
      return FAILURE.processingFailure;
  }
}
