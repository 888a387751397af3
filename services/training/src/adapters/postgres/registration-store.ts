import { withTransaction, type Pool } from '@vigil/common';
import type { RegistrationStore } from '../../domain/ports';
import type { ModelRepository } from '../storage/model-repository';
import { toVersion } from './job-rows';

/**
 * Registered versions: the number is taken under the model's lock (the one training's jobs take),
 * the artifact is written before the row commits (a row never points at a missing file; an orphan
 * left by a failed commit is overwritten by the next version of that number), and an upload whose
 * bytes and config were registered before returns that version.
 */
export function createRegistrationStore(pool: Pool, repository: ModelRepository): RegistrationStore {
  return {
    async register(r) {
      const uploadKey = `${r.uploadedSha256}:${r.configSha256}`;
      return withTransaction(pool, async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`training.model:${r.name}`]);
        const earlier = await tx.query('SELECT * FROM training.model_versions WHERE name = $1 AND upload_key = $2', [r.name, uploadKey]);
        if (earlier.rows[0]) return { version: toVersion(earlier.rows[0]), created: false };
        const next = (await tx.query('SELECT coalesce(max(version), 0) + 1 AS v FROM training.model_versions WHERE name = $1', [r.name])).rows[0].v;
        const config = { ...r.config, name: r.name };
        await repository.save(r.name, next, r.served, config, r.files);
        const inserted = await tx.query(
          `INSERT INTO training.model_versions (name, version, sha256, metrics, config, source, lineage, registered_by, upload_key, dataset_sha256)
           VALUES ($1, $2, $3, $4, $5, 'registered', $6, $7, $8, $9) RETURNING *`,
          [r.name, next, r.servedSha256, r.metrics ?? {}, config, r.lineage, r.registeredBy, uploadKey, (r.lineage.datasetSha256 as string | undefined) ?? null],
        );
        return { version: toVersion(inserted.rows[0]), created: true };
      });
    },
  };
}
