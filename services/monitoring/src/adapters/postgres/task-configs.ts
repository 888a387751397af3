import type { Pool } from '@vigil/common';
import type { TaskConfigs, VersionTask } from '../../domain/ports';

const TTL_MS = 60_000;

/**
 * What each model version is (task, classes, positive class, whether it answers by task), read
 * from the registry's `training.model_versions.config`. A version's config never changes, so it
 * is cached; an unknown version is looked up again after a minute (it may be registered since).
 */
export function createTaskConfigs(pool: Pool): TaskConfigs {
  const cache = new Map<string, { at: number; value: VersionTask | null }>();
  return {
    async get(modelName, modelVersion) {
      const key = `${modelName}\u0000${modelVersion}`;
      const hit = cache.get(key);
      if (hit && (hit.value !== null || Date.now() - hit.at < TTL_MS)) return hit.value;
      const version = Number(modelVersion);
      const { rows } = Number.isInteger(version)
        ? await pool.query(
          `SELECT config->>'task' AS task, config->'classes' AS classes, config->'positiveClass' AS positive_class, config ? 'outputRoles' AS by_task
             FROM training.model_versions WHERE name = $1 AND version = $2`,
          [modelName, version],
        )
        : { rows: [] };
      const r = rows[0];
      const value: VersionTask | null = r?.task ? { task: r.task, classes: r.classes ?? undefined, positiveClass: r.positive_class ?? undefined, answersByTask: r.by_task } : null;
      cache.set(key, { at: Date.now(), value });
      return value;
    },
  };
}
