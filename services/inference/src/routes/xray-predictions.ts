import { readImageUpload, registerImageUpload, Type, XrayPredictionSchema, type VigilRoutes } from '@vigil/common';
import { predictXray, type XrayDeps } from '../domain/predict-xray';

export interface XrayRoutesDeps extends XrayDeps {
  /** Largest image accepted (413 above). */
  maxImageBytes: number;
}


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
        response: { 200: XrayPredictionSchema },
      },
    },
    async (request) => {
      const upload = await readImageUpload(request, deps.maxImageBytes);
      return predictXray({ ...upload, requestId: String(request.id), clientName: request.client!.name }, deps);
    },
  );
};
