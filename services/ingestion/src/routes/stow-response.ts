import { FAILURE, type StowOutcome } from '../domain/store-instances';

/** A DICOM JSON Model attribute (PS3.18 Annex F): no Value when it has none. */
interface Attribute {
  vr: string;
  Value?: unknown[];
}
export type DicomJson = Record<string, Attribute>;

const attr = (vr: string, value: unknown): Attribute => (value === undefined ? { vr } : { vr, Value: [value] });

/**
 * The Store Instances Response Module (PS3.18 10.5.3) in DICOM JSON, and its HTTP status: 200 when
 * every instance was stored, 202 when some were, and when none was 400 (none could be understood),
 * 503 (some failed for want of resources that may come back: retry) or 409 (a conflict in what was
 * sent, e.g. an unsupported SOP class or another study's instance).
 */
export function stowResponse(outcomes: readonly StowOutcome[], retrieveUrl: (studyId: string) => string): { status: number; body: DicomJson } {
  const referenced: DicomJson[] = [];
  const failed: DicomJson[] = [];
  for (const o of outcomes) {
    const item: DicomJson = {
      '00081150': attr('UI', o.sopClassUid), // Referenced SOP Class UID
      '00081155': attr('UI', o.sopInstanceUid), // Referenced SOP Instance UID, as sent
    };
    if (o.stored) {
      item['00081190'] = attr('UR', retrieveUrl(o.study.id)); // Retrieve URL: the study and its prediction
      item['00081196'] = attr('US', o.warningReason); // Warning Reason: stored de-identified
      referenced.push(item);
    } else {
      item['00081197'] = attr('US', o.failureReason); // Failure Reason
      failed.push(item);
    }
  }
  const body: DicomJson = {};
  if (referenced.length > 0) body['00081199'] = { vr: 'SQ', Value: referenced }; // Referenced SOP Sequence
  if (failed.length > 0) body['00081198'] = { vr: 'SQ', Value: failed }; // Failed SOP Sequence
  return { status: statusOf(outcomes), body };
}

function statusOf(outcomes: readonly StowOutcome[]): number {
  const failures = outcomes.flatMap((o) => (o.stored ? [] : [o]));
  if (failures.length === 0) return 200;
  if (failures.length < outcomes.length) return 202;
  if (failures.every((f) => f.failureReason === FAILURE.cannotUnderstand)) return 400;
  if (failures.some((f) => f.error.canRetry)) return 503;
  return 409;
}
