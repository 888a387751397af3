/**
 * The ports of the X-ray study use cases (POST /v1/xray/studies, DICOMweb STOW-RS, GET
 * /v1/xray/studies/{id}), beside ports.ts and xray-ports.ts so that each feature changes alone.
 */

export type StudySource = 'upload' | 'stow-rs';
export type StudyMediaType = 'application/dicom' | 'image/png' | 'image/jpeg';

/** One chest X-ray accepted for a prediction: ingestion.xray_studies. */
export interface XrayStudy {
  id: string;
  /** SHA-256 (hex) of the bytes as received. */
  receivedSha256: string;
  /** SHA-256 (hex) of the bytes stored: the de-identified object for a DICOM, else the same bytes. */
  storedSha256: string;
  mediaType: StudyMediaType;
  /** The de-identified (re-mapped) Study Instance UID; null for PNG and JPEG. */
  studyUid: string | null;
  /** The caller's references: kept in this table only, never on Kafka or in logs. */
  accessionNumber: string | null;
  patientRef: string | null;
  source: StudySource;
  clientName: string;
  createdAt: Date;
}

export interface StudyStore {
  /** Saves the study and its XrayReceived event in one transaction. */
  save(study: XrayStudy): Promise<void>;
  find(id: string): Promise<XrayStudy | null>;
}

export interface ModelRef {
  name: string;
  version: number;
  sha256: string;
}

/** An audit row of inference.predictions, as inference wrote it. */
export interface PredictionRecord {
  id: string;
  imageSha256: string;
  model: ModelRef;
  /** xray-pneumonia's output: {probability, positive, threshold, confidence, band, type}. */
  output: Record<string, unknown>;
}

/** Reads what inference predicted for a study (inference.predictions, entity_id = the study id). */
export interface StudyPredictions {
  /** The first prediction of `modelName` for the study, or null while there is none. */
  find(studyId: string, modelName: string): Promise<PredictionRecord | null>;
}

/** What a DICOM object says it is, as sent: the UIDs a STOW-RS answer refers to it by. */
export interface DicomIdentity {
  sopClassUid?: string;
  sopInstanceUid?: string;
  studyInstanceUid?: string;
}

/** The imaging library behind the use cases; every refusal is a VigilError with a 4xx status. */
export interface StudyImageCodec {
  /** Type from the bytes, size and pixel limits, and a full decode of the (first) frame. */
  validate(bytes: Uint8Array): Promise<{ format: 'png' | 'jpeg' | 'dicom'; sha256: string }>;
  /** PS3.15 basic profile: the bytes to store and the re-mapped Study Instance UID. */
  deidentify(bytes: Uint8Array): { bytes: Uint8Array; studyUid: string };
  /** Reads the UIDs of a DICOM object without decoding pixels; refuses what is not DICOM. */
  identify(bytes: Uint8Array): DicomIdentity;
}
