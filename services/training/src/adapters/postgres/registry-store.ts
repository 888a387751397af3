import { DeployAction, stageEvent, TOPICS, VigilError, withTransaction, type Pool } from '@vigil/common';
import type { Deployment, RegistryStore } from '../../domain/ports';
import { toDeployment, toVersion } from './job-rows';

const ACTIONS: Record<Deployment['action'], DeployAction> = {
  promote: DeployAction.PROMOTE,
  rollback: DeployAction.ROLLBACK,
  decommission: DeployAction.DECOMMISSION,
};
/** The live version is the latest deployment's, unless that deployment took the model out of service. */
const LIVE_VERSION = `CASE WHEN d.action = 'decommission' THEN NULL ELSE d.version END`;

export function createRegistryStore(pool: Pool): RegistryStore {
  const toSettings = (name: string, r?: Record<string, unknown>) => ({
    name, autoPromote: Boolean(r?.auto_promote), updatedBy: (r?.updated_by as string) ?? null, updatedAt: (r?.updated_at as Date) ?? null,
  });
  return {
    async settings(name) {
      const { rows } = await pool.query('SELECT * FROM training.model_settings WHERE name = $1', [name]);
      return toSettings(name, rows[0]);
    },
    async saveSettings(name, autoPromote, actor) {
      const { rows } = await pool.query(
        `INSERT INTO training.model_settings (name, auto_promote, updated_by) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET auto_promote = EXCLUDED.auto_promote, updated_by = EXCLUDED.updated_by, updated_at = now()
         RETURNING *`,
        [name, autoPromote, actor],
      );
      return toSettings(name, rows[0]);
    },
    async models() {
      const { rows } = await pool.query(
        `SELECT v.name, max(v.version) AS latest,
                (SELECT ${LIVE_VERSION} FROM training.deployments d WHERE d.name = v.name ORDER BY d.id DESC LIMIT 1) AS live
           FROM training.model_versions v GROUP BY v.name ORDER BY v.name`,
      );
      return rows.map((r) => ({ name: r.name, latestVersion: r.latest, liveVersion: r.live }));
    },
    async versions(name) {
      const { rows } = await pool.query(
        `SELECT v.*, coalesce(j.reason, 'registered') AS job_reason,
                EXISTS (SELECT 1 FROM training.deployments d WHERE d.name = v.name AND d.version = v.version) AS ever_live
           FROM training.model_versions v LEFT JOIN training.jobs j ON j.id = v.job_id
          WHERE v.name = $1 ORDER BY v.version`,
        [name],
      );
      return rows.map(toVersion);
    },
    async version(name, version) {
      const { rows } = await pool.query('SELECT * FROM training.model_versions WHERE name = $1 AND version = $2', [name, version]);
      return rows[0] ? toVersion(rows[0]) : null;
    },
    async history(name) {
      const { rows } = await pool.query('SELECT * FROM training.deployments WHERE name = $1 ORDER BY id', [name]);
      return rows.map(toDeployment);
    },
    async live(name) {
      const { rows } = await pool.query('SELECT * FROM training.deployments WHERE name = $1 ORDER BY id DESC LIMIT 1', [name]);
      return rows[0] && rows[0].action !== 'decommission' ? toDeployment(rows[0]) : null;
    },
    async deploy(d, expectedLive, modelSha256) {
      return withTransaction(pool, async (tx) => {
        // Serialises deployments of one model, so the check below cannot race another promotion.
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`training.deploy:${d.name}`]);
        const current = (await tx.query(`SELECT ${LIVE_VERSION} AS version FROM training.deployments d WHERE d.name = $1 ORDER BY d.id DESC LIMIT 1`, [d.name])).rows[0];
        if ((current?.version ?? null) !== expectedLive) {
          throw new VigilError('VIGIL_CONFLICT', `The live version of ${d.name} changed meanwhile (now ${current?.version ?? 'none'}); retry`);
        }
        const { rows } = await tx.query(
          `INSERT INTO training.deployments (name, version, previous_version, action, actor, reason, forced)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
          [d.name, d.version, d.previousVersion, d.action, d.actor, d.reason, d.forced],
        );
        await stageEvent(tx, 'training', 'training', TOPICS.modelDeployed, {
          modelName: d.name,
          // After a decommission no version serves: the event's version is empty.
          version: d.action === 'decommission' ? '' : String(d.version),
          previousVersion: d.previousVersion === null ? '' : String(d.previousVersion),
          modelSha256,
          action: ACTIONS[d.action],
          actor: d.actor,
          reason: d.reason ?? '',
        });
        return toDeployment(rows[0]);
      });
    },
  };
}
