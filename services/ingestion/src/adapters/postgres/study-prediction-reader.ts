import type { Pool } from '@vigil/common';
import type { StudyPredictions } from '../../domain/study-ports';

/**
 * What inference predicted for a study: inference.predictions, which inference's xray-received
 * consumer writes with entity_id = the study id. A cross-schema read, granted to vigil_ingestion by
 * inference's migration 1700000000007; the predictions_by_entity index serves it.
 */
export function createStudyPredictionReader(pool: Pool): StudyPredictions {
  return {
    async find(studyId, modelName) {
      const { rows } = await pool.query(
        `SELECT id, image_sha256, input_sha256, model_name, model_version, model_sha256, output
         FROM inference.predictions WHERE entity_id = $1 AND model_name = $2 ORDER BY created_at, id LIMIT 1`,
        [studyId, modelName],
      );
      const r = rows[0];
      if (!r) return null;
      return {
        id: r.id,
        imageSha256: r.image_sha256 ?? r.input_sha256,
        model: { name: r.model_name, version: r.model_version, sha256: r.model_sha256 },
        output: r.output,
      };
    },
  };
}
