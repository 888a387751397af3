import { readImageUpload, registerImageUpload, Type, type VigilRoutes } from '@vigil/common';
import { predictXray, type XrayDeps } from '../domain/predict-xray';

export interface XrayRoutesDeps extends XrayDeps {
  /** Largest image accepted (413 above). */
  maxImageBytes: number;
}

const ModelRef = Type.Object({ name: Type.String(), version: Type.Integer(), sha256: Type.String() });
const XrayResponse = Type.Object({
  predictionId: Type.String({ format: 'uuid' }),
  imageSha256: Type.String({ description: 'SHA-256 of the image bytes received' }),
  pneumonia: Type.Object({ probability: Type.Number(), positive: Type.Boolean(), threshold: Type.Number(), model: ModelRef }),
  type: Type.Optional(
    Type.Object(
      { label: Type.String({ description: 'bacterial or viral' }), probability: Type.Number({ description: 'of the label given' }), model: ModelRef },
      { description: 'Only when pneumonia is positive' },
    ),
  ),
  confidence: Type.Union([Type.Literal('high'), Type.Literal('low')]),
  alert: Type.Boolean({ description: 'true when the low-confidence result raised an alert for a clinician' }),
});

// @fastify/multipart leaves the body unparsed, so fastify validates `null`: the schema documents the parts.
const UploadForm = Type.Unsafe<unknown>({
  type: ['object', 'null'],
  properties: {
    image: { type: 'string', format: 'binary', description: 'PNG, JPEG or DICOM Part 10; the type is read from the bytes' },
    accessionNumber: { type: 'string', maxLength: 256 },
    patientRef: { type: 'string', maxLength: 256, description: 'Your reference for the patient; stored in the audit row, never logged' },
  },
});

/** POST /v1/xray/predict: a PACS integration posts a chest X-ray and gets the audited answer synchronously. */
export const xrayPredictionRoutes: VigilRoutes<XrayRoutesDeps> = async (app, deps) => {
  await registerImageUpload(app, deps.maxImageBytes);
  app.post(
    '/v1/xray/predict',
    {
      config: { scopes: ['xray:submit'] },
      schema: {
        tags: ['xray'],
        summary: 'Pneumonia (and, if positive, bacterial vs viral) for one chest X-ray (audited)',
        description:
          'multipart/form-data with the image in a part named "image" and optional fields accessionNumber and patientRef. ' +
          'A DICOM is de-identified before it is stored. 413 above the size or pixel limits, 415 for a type or DICOM ' +
          'transfer syntax that cannot be decoded, 400/422 for corrupt images, 503 if no model is live or the audit write fails.',
        consumes: ['multipart/form-data'],
        body: UploadForm,
        response: { 200: XrayResponse },
      },
    },
    async (request) => {
      const upload = await readImageUpload(request, deps.maxImageBytes);
      return predictXray({ ...upload, requestId: String(request.id), clientName: request.client!.name }, deps);
    },
  );
};
