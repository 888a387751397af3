import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { VigilError, type Pool } from '@vigil/common';
import type { ModelConfig, ModelSource } from '../../domain/ports';

/**
 * Live versions come from the registry's deployment history (read-only grant on
 * training.deployments and model_versions); artifacts from the shared model repository, checked
 * against the sha256 the registry recorded, so a tampered or half-copied file is never served.
 */
export function createModelSource(pool: Pool, repositoryRoot: string): ModelSource {
  return {
    async liveVersions() {
      // A model whose latest deployment is a decommission has no live version.
      const { rows } = await pool.query(
        `SELECT name, version, sha256 FROM (
           SELECT DISTINCT ON (d.name) d.name, d.version, d.action, v.sha256
             FROM training.deployments d JOIN training.model_versions v USING (name, version)
            ORDER BY d.name, d.id DESC) latest
          WHERE action <> 'decommission'`,
      );
      return rows.map((r) => ({ name: r.name, version: r.version, sha256: r.sha256 }));
    },
    async version(name, version) {
      const { rows } = await pool.query(
        `SELECT v.sha256,
                coalesce((SELECT d.action = 'decommission' FROM training.deployments d WHERE d.name = v.name ORDER BY d.id DESC LIMIT 1), false) AS decommissioned
           FROM training.model_versions v WHERE v.name = $1 AND v.version = $2`,
        [name, version],
      );
      return rows[0] ? { ref: { name, version, sha256: rows[0].sha256 }, decommissioned: rows[0].decommissioned } : null;
    },
    async artifact(ref) {
      const dir = path.resolve(repositoryRoot, ref.name, String(ref.version));
      const [onnx, config] = await Promise.all([readFile(path.join(dir, 'model.onnx')), readFile(path.join(dir, 'config.json'), 'utf8')]);
      const actual = createHash('sha256').update(onnx).digest('hex');
      if (actual !== ref.sha256) {
        throw new VigilError('VIGIL_INTERNAL', `Artifact of ${ref.name} v${ref.version} has sha256 ${actual}, the registry says ${ref.sha256}`);
      }
      const parsed = JSON.parse(config) as ModelConfig;
      const files: Record<string, Uint8Array> = {};
      if (parsed.backbone) {
        const bytes = await readFile(path.join(dir, path.basename(parsed.backbone.file)));
        const sha = createHash('sha256').update(bytes).digest('hex');
        if (sha !== parsed.backbone.sha256) {
          throw new VigilError('VIGIL_INTERNAL', `Backbone of ${ref.name} v${ref.version} has sha256 ${sha}, its config says ${parsed.backbone.sha256}`);
        }
        files[parsed.backbone.file] = bytes;
      }
      return { onnx, config: parsed, files };
    },
  };
}
