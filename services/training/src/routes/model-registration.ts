import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { isVigilError, Type, VigilError, type VigilRoutes } from '@vigil/common';
import type { VersionFiles } from '../domain/ports';
import { registerModel, type RegisterDeps } from '../domain/register-model';

export interface RegistrationRoutesDeps extends RegisterDeps {
  /** MODEL_MAX_BYTES: the largest .onnx accepted. */
  maxModelBytes: number;
  /** The model repository's files, for the promotion gate of registered versions. */
  files: VersionFiles;
}

const MAX_CONFIG_BYTES = 1024 * 1024;
const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }) });

async function readParts(request: FastifyRequest, maxModelBytes: number): Promise<{ onnx: Buffer; config: unknown; reference?: string; holdout?: string }> {
  if (!request.isMultipart()) {
    throw new VigilError('VIGIL_UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data with the .onnx file in part "model" and its JSON in part "config"');
  }
  let onnx: Buffer | undefined;
  let configText: string | undefined;
  const csv: { reference?: string; holdout?: string } = {};
  try {
    for await (const part of request.parts()) {
      if (part.fieldname === 'model' && part.type === 'file') onnx = await part.toBuffer();
      else if (part.fieldname === 'config') {
        // A field sent as application/json (curl -F 'config=@c.json;type=application/json') arrives parsed.
        if (part.type === 'file') configText = (await part.toBuffer()).toString('utf8');
        else configText = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
      }
      else if (part.fieldname === 'reference' || part.fieldname === 'holdout') {
        csv[part.fieldname] = part.type === 'file' ? (await part.toBuffer()).toString('utf8') : String(part.value ?? '');
      } else throw new VigilError('VIGIL_VALIDATION', `Unknown part "${part.fieldname}"; send "model" (a file), "config" (JSON), optionally "reference" and "holdout" (CSV)`);
    }
  } catch (err) {
    if (isVigilError(err)) throw err;
    const code = (err as { code?: unknown }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new VigilError('VIGIL_PAYLOAD_TOO_LARGE', `The model is larger than MODEL_MAX_BYTES (${maxModelBytes} bytes)`);
    throw new VigilError('VIGIL_VALIDATION', `Malformed multipart body: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!onnx) throw new VigilError('VIGIL_VALIDATION', 'The body has no "model" file part');
  if (configText === undefined) throw new VigilError('VIGIL_VALIDATION', 'The body has no "config" part');
  try {
    return { onnx, config: JSON.parse(configText), ...csv };
  } catch (err) {
    throw new VigilError('VIGIL_VALIDATION', `The "config" part is not JSON: ${(err as Error).message}`);
  }
}

/** POST /v1/models/{name}/versions: bring your own ONNX model. */
export const modelRegistrationRoutes: VigilRoutes<RegistrationRoutesDeps> = async (app, deps) => {
  await app.register(multipart, { limits: { fileSize: deps.maxModelBytes, files: 4, fields: 3, parts: 4, fieldSize: MAX_CONFIG_BYTES } });
  app.post(
    '/v1/models/:name/versions',
    {
      config: { scopes: ['models:admin'] },
      // A declared length past the limit is refused before a byte of the body is read.
      onRequest: async (request) => {
        const declared = Number(request.headers['content-length']);
        if (declared > deps.maxModelBytes + MAX_CONFIG_BYTES + 64 * 1024) {
          throw new VigilError('VIGIL_PAYLOAD_TOO_LARGE', `The upload (${declared} bytes) is larger than MODEL_MAX_BYTES (${deps.maxModelBytes} bytes) allows`);
        }
      },
      schema: {
        tags: ['registry'],
        summary: 'Register an ONNX model built elsewhere as the next version (multipart: model, config)',
        description:
          'Checked before anything is stored: the config, the graph against it, one run. 201 with the new version; ' +
          'the same bytes and config again answer 200 with the same version. skl2onnx ZipMap outputs are served as float tensors.',
        params: NameParams,
        consumes: ['multipart/form-data'],
      },
    },
    async (request, reply) => {
      const { onnx, config, reference, holdout } = await readParts(request, deps.maxModelBytes);
      const { version, created, signature } = await registerModel({ name: request.params.name, onnx, config, reference, holdout, actor: request.client!.name }, deps);
      return reply.code(created ? 201 : 200).send({
        name: version.name,
        version: version.version,
        sha256: version.sha256,
        task: version.config.task,
        ...(version.config.classes ? { classes: version.config.classes } : {}),
        signature,
        ...(version.metrics.holdout ? { holdout: version.metrics.holdout } : {}),
        lineage: version.lineage ?? {},
      });
    },
  );
};
