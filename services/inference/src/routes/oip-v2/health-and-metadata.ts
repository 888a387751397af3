import { Type, VigilError, type VigilRoutes } from '@vigil/common';
import type { LiveModels } from '../../domain/live-models';
import type { LoadedModel } from '../../domain/ports';

export interface OipMetadataDeps {
  live: LiveModels;
  /** Ready = the service's dependencies answer (as /readyz). */
  ready: () => Promise<boolean>;
  version: string;
}

const ModelParams = Type.Object({ name: Type.String(), version: Type.Optional(Type.String({ pattern: '^[0-9]+$' })) });
const pub = { public: true };

function liveModel(live: LiveModels, name: string, version?: string): LoadedModel {
  const model = live.get(name);
  if (!model) throw new VigilError('VIGIL_NOT_FOUND', `Model ${name} is not being served`);
  if (version !== undefined && Number(version) !== model.ref.version) {
    throw new VigilError('VIGIL_NOT_FOUND', `Version ${version} of ${name} is not live (live: ${model.ref.version})`);
  }
  return model;
}

/** Open Inference Protocol V2: server and model health and metadata (KServe / Triton clients). */
export const oipMetadataRoutes: VigilRoutes<OipMetadataDeps> = async (app, deps) => {
  app.get('/v2', { schema: { tags: ['oip-v2'], summary: 'Server metadata' } }, async () => ({
    name: 'vigil-inference',
    version: deps.version,
    extensions: [],
  }));
  app.get('/v2/health/live', { config: pub, schema: { tags: ['oip-v2'], security: [] } }, async () => ({ live: true }));
  app.get('/v2/health/ready', { config: pub, schema: { tags: ['oip-v2'], security: [] } }, async (_request, reply) => {
    const ready = await deps.ready();
    return reply.code(ready ? 200 : 503).send({ ready });
  });

  for (const prefix of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    app.get(`${prefix}/ready`, { config: pub, schema: { tags: ['oip-v2'], security: [], params: ModelParams } }, async (request) => {
      liveModel(deps.live, request.params.name, request.params.version);
      return { name: request.params.name, ready: true };
    });
    app.get(prefix, { schema: { tags: ['oip-v2'], summary: 'Model metadata', params: ModelParams } }, async (request) => {
      const model = liveModel(deps.live, request.params.name, request.params.version);
      return {
        name: model.ref.name,
        versions: [String(model.ref.version)],
        platform: 'onnxruntime_onnx',
        inputs: model.config.inputs,
        outputs: model.config.outputs,
        parameters: {
          sha256: model.ref.sha256, pipeline: model.config.pipeline, threshold: model.config.threshold,
          // Where this version's session runs (ORT_EXECUTION_PROVIDERS, after fallbacks): cuda, webgpu or cpu.
          ...(model.executionProvider ? { execution_provider: model.executionProvider } : {}),
        },
      };
    });
  }
};
