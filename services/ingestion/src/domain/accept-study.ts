import type { Clock, IdGenerator } from './ports';
import type { StudyImageCodec, StudyMediaType, StudySource, StudyStore, XrayStudy } from './study-ports';
import type { ImageBlobs } from './xray-ports';

export interface AcceptStudyDeps {
  codec: StudyImageCodec;
  blobs: ImageBlobs;
  store: StudyStore;
  clock: Clock;
  ids: IdGenerator;
}

export interface StudyInput {
  bytes: Uint8Array;
  source: StudySource;
  clientName: string;
  accessionNumber?: string;
  patientRef?: string;
}

const MEDIA_TYPES: Record<'png' | 'jpeg' | 'dicom', StudyMediaType> = { png: 'image/png', jpeg: 'image/jpeg', dicom: 'application/dicom' };

/**
 * One chest X-ray in, one stored study out, for inference to predict on: the image is checked
 * (type from the bytes, limits, a full decode, so that a corrupt file is refused here rather than
 * dead-lettered by inference), a DICOM is de-identified before anything is written, the bytes go
 * to the blob store and then the study row and its XrayReceived event commit together. The blob is
 * written first: a failed commit leaves an unreferenced blob (harmless, content-addressed), never
 * a row or an event naming a blob that is not there.
 */
export async function acceptStudy(input: StudyInput, deps: AcceptStudyDeps): Promise<XrayStudy> {
  const image = await deps.codec.validate(input.bytes);
  const deidentified = image.format === 'dicom' ? deps.codec.deidentify(input.bytes) : null;
  const stored = await deps.blobs.put(deidentified?.bytes ?? input.bytes);
  const study: XrayStudy = {
    id: deps.ids.newId(),
    receivedSha256: image.sha256,
    storedSha256: stored.sha256,
    mediaType: MEDIA_TYPES[image.format],
    studyUid: deidentified?.studyUid ?? null,
    accessionNumber: input.accessionNumber ?? null,
    patientRef: input.patientRef ?? null,
    source: input.source,
    clientName: input.clientName,
    createdAt: deps.clock.now(),
  };
  await deps.store.save(study);
  return study;
}
