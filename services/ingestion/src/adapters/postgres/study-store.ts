import { isVigilError, stageEvent, TOPICS, VigilError, withTransaction, type Pool } from '@vigil/common';
import type { StudyStore, XrayStudy } from '../../domain/study-ports';

interface StudyRow {
  id: string;
  received_sha256: string;
  stored_sha256: string;
  media_type: XrayStudy['mediaType'];
  study_uid: string | null;
  accession_number: string | null;
  patient_ref: string | null;
  source: XrayStudy['source'];
  client_name: string;
  created_at: Date;
}

const COLUMNS = 'id, received_sha256, stored_sha256, media_type, study_uid, accession_number, patient_ref, source, client_name, created_at';

const toStudy = (row: StudyRow): XrayStudy => ({
  id: row.id,
  receivedSha256: row.received_sha256,
  storedSha256: row.stored_sha256,
  mediaType: row.media_type,
  studyUid: row.study_uid,
  accessionNumber: row.accession_number,
  patientRef: row.patient_ref,
  source: row.source,
  clientName: row.client_name,
  createdAt: row.created_at,
});

/** ingestion.xray_studies and the XrayReceived event that announces each row, in one transaction. */
export function createStudyStore(pool: Pool, options: { onCommitted?: () => void } = {}): StudyStore {
  return {
    async save(study) {
      await withTransaction(pool, async (tx) => {
        await tx.query(`INSERT INTO ingestion.xray_studies (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
          study.id, study.receivedSha256, study.storedSha256, study.mediaType, study.studyUid,
          study.accessionNumber, study.patientRef, study.source, study.clientName, study.createdAt,
        ]);
        // The event names the study and its blob only: accession number and patient reference stay
        // in this table (Kafka topics are read by every service and kept for days).
        await stageEvent(tx, 'ingestion', 'ingestion', TOPICS.xrayReceived, {
          imageId: study.id,
          sha256: study.storedSha256,
          receivedSha256: study.receivedSha256,
          contentType: study.mediaType,
          studyUid: study.studyUid ?? '',
          source: study.source,
          clientName: study.clientName,
        });
      }).catch((err: unknown) => {
        throw storeError(err);
      });
      options.onCommitted?.();
    },

    async find(id) {
      const { rows } = await pool.query<StudyRow>(`SELECT ${COLUMNS} FROM ingestion.xray_studies WHERE id = $1`, [id]);
      return rows[0] ? toStudy(rows[0]) : null;
    },
  };
}

/**
 * A driver error without its cause: for a constraint violation pg's `detail` quotes the failing
 * row, accession number and patient reference included, and the error handler logs causes.
 */
function storeError(err: unknown): VigilError {
  if (isVigilError(err)) return err;
  const { code, message } = err as { code?: string; message?: string };
  // SQLSTATE class 08 (connection exception), 57P01-03 (server shutting down), socket errors.
  const outage = typeof code === 'string' && (/^08/.test(code) || /^57P0[1-3]$/.test(code) || /^E[A-Z]+$/.test(code));
  return new VigilError(outage ? 'VIGIL_UNAVAILABLE' : 'VIGIL_INTERNAL', `The study could not be saved (${code ?? 'no code'}: ${message ?? 'unknown error'})`);
}
