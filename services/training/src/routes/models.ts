import { Type, VigilError, type VigilRoutes } from '@vigil/common';
import type { DatasetReader, Deployment, ImageHoldoutScorer, ModelSettings, ModelVersion, RegistryStore } from '../domain/ports';
import { decommissionModel } from '../domain/decommission-model';
import { promoteModel, rollbackModel, type PromoteDeps } from '../domain/promote-model';

export interface ModelRoutesDeps {
  registry: RegistryStore;
  datasets: DatasetReader;
  images?: ImageHoldoutScorer;
  promotionMargin: number;
  registered?: PromoteDeps['registered'];
}

const admin = { scopes: ['models:admin'] };
const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }) });
const VersionParams = Type.Composite([NameParams, Type.Object({ version: Type.Integer({ minimum: 1 }) })]);

/**
 * live; awaiting-approval: trained by retraining, never live, newer than the live version (a person
 * decides, unless the model auto-promotes); available: any other stored version (promotable).
 */
function statusOf(v: ModelVersion, live: number | null): 'live' | 'awaiting-approval' | 'available' {
  if (v.version === live) return 'live';
  if (v.jobReason && v.jobReason !== 'api' && v.jobReason !== 'registered' && !v.everLive && v.version > (live ?? 0)) return 'awaiting-approval';
  return 'available';
}

const versionView = (v: ModelVersion, live: number | null) => ({
  name: v.name,
  version: v.version,
  sha256: v.sha256,
  live: v.version === live,
  status: statusOf(v, live),
  trainedFor: v.jobReason ?? null,
  jobId: v.jobId,
  datasetId: v.datasetId,
  datasetSha256: v.datasetSha256,
  metrics: v.metrics,
  threshold: v.config.threshold,
  // Image models: what serving must reproduce (preprocessing, backbone) and where "low confidence" starts.
  preprocess: v.config.preprocess ?? null,
  backbone: v.config.backbone ?? null,
  confidenceBand: v.config.confidenceBand ?? null,
  task: v.config.task ?? null,
  classes: v.config.classes ?? null,
  // Registered from outside: who uploaded it and the lineage they gave (with the uploaded and served sha256).
  source: v.source ?? 'pipeline',
  registeredBy: v.registeredBy ?? null,
  lineage: v.lineage ?? null,
  createdAt: v.createdAt.toISOString(),
});

const deploymentView = (d: Deployment) => ({ ...d, deployedAt: d.deployedAt.toISOString() });

/** The model registry: versions, promotion with a quality gate, rollback, deployment history. */
export const modelRoutes: VigilRoutes<ModelRoutesDeps> = async (app, deps) => {
  const { registry } = deps;
  const liveOf = async (name: string) => (await registry.live(name))?.version ?? null;

  app.get('/v1/models', { config: admin, schema: { tags: ['registry'], summary: 'Models with their latest and live versions' } }, async () => ({
    models: await registry.models(),
  }));

  app.get(
    '/v1/models/:name/versions',
    { config: admin, schema: { tags: ['registry'], summary: 'Every stored version of a model', params: NameParams } },
    async (request) => {
      const versions = await registry.versions(request.params.name);
      if (versions.length === 0) throw new VigilError('VIGIL_NOT_FOUND', `No model named ${request.params.name}`);
      const live = await liveOf(request.params.name);
      return { name: request.params.name, liveVersion: live, versions: versions.map((v) => versionView(v, live)) };
    },
  );

  const Settings = Type.Object({ autoPromote: Type.Boolean({ description: 'retrained versions go live on their own, through the promotion gate' }) });
  const settingsView = (s: ModelSettings) => ({ ...s, updatedAt: s.updatedAt?.toISOString() ?? null });
  app.get(
    '/v1/models/:name/settings',
    { config: admin, schema: { tags: ['registry'], summary: 'Registry settings of a model (auto-promotion)', params: NameParams } },
    async (request) => settingsView(await registry.settings(request.params.name)),
  );
  app.put(
    '/v1/models/:name/settings',
    { config: admin, schema: { tags: ['registry'], summary: 'Change registry settings of a model', params: NameParams, body: Settings } },
    async (request) => settingsView(await registry.saveSettings(request.params.name, request.body.autoPromote, request.client!.name)),
  );

  app.get(
    '/v1/models/:name/history',
    { config: admin, schema: { tags: ['registry'], summary: 'Which version was live when, and who changed it', params: NameParams } },
    async (request) => ({ name: request.params.name, deployments: (await registry.history(request.params.name)).map(deploymentView) }),
  );

  app.post(
    '/v1/models/:name/versions/:version/promote',
    {
      config: admin,
      schema: {
        tags: ['registry'],
        summary: 'Make a version live (refused if worse than the live one beyond the margin, unless forced with a reason)',
        params: VersionParams,
        body: Type.Optional(
          Type.Object({ force: Type.Optional(Type.Boolean()), reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
        ),
      },
    },
    async (request) => {
      const { deployment, comparison } = await promoteModel(
        { ...request.params, ...(request.body ?? {}), actor: request.client!.name },
        { registry, datasets: deps.datasets, images: deps.images, margin: deps.promotionMargin, registered: deps.registered },
      );
      return { deployment: deploymentView(deployment), comparison };
    },
  );

  app.post(
    '/v1/models/:name/rollback',
    {
      config: admin,
      schema: {
        tags: ['registry'],
        summary: 'Bring back the version that was live before the current one',
        params: NameParams,
        body: Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false })),
      },
    },
    async (request) => ({
      deployment: deploymentView(await rollbackModel({ name: request.params.name, actor: request.client!.name, reason: request.body?.reason }, { registry })),
    }),
  );

  app.post(
    '/v1/models/:name/decommission',
    {
      config: admin,
      schema: {
        tags: ['registry'],
        summary: 'Take a model out of service: no version stays live (inference unloads it); versions, artifacts and audit stay, and a promotion re-activates it',
        params: NameParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }),
      },
    },
    async (request) => ({
      deployment: deploymentView(await decommissionModel({ name: request.params.name, actor: request.client!.name, reason: request.body.reason }, { registry })),
    }),
  );
};
