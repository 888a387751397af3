import { hasScopes, Type, VigilError, type VigilRoutes } from '@vigil/common';
import { predictScopes } from '../../domain/predict-instances';
import { acquire, runInference, type InferenceDeps } from '../../domain/run-inference';
import { fromOip, toOip } from './codec';

/** Scope a caller needs to run a model, by the model's pipeline. */
const SCOPE_BY_PIPELINE: Record<string, string> = { churn: 'churn:score', xray: 'xray:submit' };

const InferRequest = Type.Object({
  id: Type.Optional(Type.String()),
  parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  inputs: Type.Array(
    Type.Object({
      name: Type.String(),
      shape: Type.Array(Type.Integer({ minimum: 0 })),
      datatype: Type.String(),
      data: Type.Unknown(),
      parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
    { minItems: 1 },
  ),
  outputs: Type.Optional(Type.Array(Type.Object({ name: Type.String() }, { additionalProperties: true }))),
});

/**
 * POST /v2/models/{name}[/versions/{version}]/infer — the same inference path (and audit) as
 * the domain endpoints; the audit's prediction ids come back in `parameters.prediction_ids`.
 */
export const oipInferRoutes: VigilRoutes<InferenceDeps> = async (app, deps) => {
  for (const path of ['/v2/models/:name/infer', '/v2/models/:name/versions/:version/infer']) {
    app.post(
      path,
      {
        schema: {
          tags: ['oip-v2'],
          summary: 'Run inference (Open Inference Protocol V2)',
          params: Type.Object({ name: Type.String(), version: Type.Optional(Type.String({ pattern: '^[0-9]+$' })) }),
          body: InferRequest,
        },
      },
      async (request) => {
        const { name, version } = request.params;
        if (version === undefined && !deps.live.get(name)) throw new VigilError('VIGIL_NOT_FOUND', `Model ${name} is not being served`);
        // Only the scope is read here; runInference takes its own lease on the same version.
        const lease = await acquire({ modelName: name, version: version === undefined ? undefined : Number(version) }, deps);
        const model = lease.model;
        lease.release();
        // A pipeline's models keep their domain scope; any other model needs predict:{name} or predict:*.
        const scopes = SCOPE_BY_PIPELINE[model.config.pipeline] ? [SCOPE_BY_PIPELINE[model.config.pipeline]] : predictScopes(name);
        if (!scopes.some((s) => hasScopes(request.client!, [s]))) {
          throw new VigilError('VIGIL_FORBIDDEN', `Running model ${name} needs scope ${scopes.join(' or ')}`, { details: { requiredScopes: [scopes[0]] } });
        }
        const result = await runInference(
          {
            modelName: name,
            version: version === undefined ? undefined : Number(version),
            inputs: request.body.inputs.map(fromOip),
            requestId: String(request.id),
            clientName: request.client!.name,
          },
          deps,
        );
        const wanted = request.body.outputs?.map((o) => o.name);
        const outputs = wanted ? result.outputs.filter((o) => wanted.includes(o.name)) : result.outputs;
        return {
          model_name: result.model.name,
          model_version: String(result.model.version),
          id: request.body.id ?? String(request.id),
          parameters: { prediction_ids: result.predictions.map((p) => p.id), model_sha256: result.model.sha256 },
          outputs: outputs.map(toOip),
        };
      },
    );
  }
};
