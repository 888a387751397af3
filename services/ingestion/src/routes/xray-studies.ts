import { readImageUpload, registerImageUpload, Type, XrayPredictionSchema, type VigilRoutes } from '@vigil/common';
import { acceptStudy, type AcceptStudyDeps } from '../domain/accept-study';
import { getStudy } from '../domain/get-study';
import type { StudyPredictions } from '../domain/study-ports';

export interface XrayStudyRouteDeps {
  studies: AcceptStudyDeps & { predictions: StudyPredictions; maxImageBytes: number };
}

const Status = Type.Union([Type.Literal('pending'), Type.Literal('done')], { description: 'done once inference has predicted' });
const Accepted = Type.Object({
  studyId: Type.String({ format: 'uuid' }),
  imageSha256: Type.String({ description: 'SHA-256 of the image bytes received' }),
  status: Type.Literal('pending'),
});
const Study = Type.Object({
  studyId: Type.String({ format: 'uuid' }),
  imageSha256: Type.String({ description: 'SHA-256 of the image bytes received' }),
  storedSha256: Type.String({ description: 'SHA-256 of the bytes stored: for a DICOM, the de-identified object' }),
  mediaType: Type.Union([Type.Literal('application/dicom'), Type.Literal('image/png'), Type.Literal('image/jpeg')]),
  studyUid: Type.Union([Type.String(), Type.Null()], { description: 'The de-identified (re-mapped) Study Instance UID of a DICOM' }),
  source: Type.Union([Type.Literal('upload'), Type.Literal('stow-rs')]),
  createdAt: Type.String({ format: 'date-time' }),
  status: Status,
  prediction: Type.Optional(XrayPredictionSchema),
});

// @fastify/multipart leaves the body unparsed, so fastify validates `null`: the schema documents the parts.
const UploadForm = Type.Unsafe<unknown>({
  type: ['object', 'null'],
  properties: {
    image: { type: 'string', format: 'binary', description: 'PNG, JPEG or DICOM Part 10; the type is read from the bytes' },
    accessionNumber: { type: 'string', maxLength: 256 },
    patientRef: { type: 'string', maxLength: 256, description: 'Your reference for the patient; stored with the study, never logged or published' },
  },
});

/** POST /v1/xray/studies and GET /v1/xray/studies/{id}: a chest X-ray stored now, predicted on asynchronously. */
export const xrayStudyRoutes: VigilRoutes<XrayStudyRouteDeps> = async (app, { studies }) => {
  await registerImageUpload(app, studies.maxImageBytes);

  app.post(
    '/v1/xray/studies',
    {
      config: { scopes: ['xray:submit'] },
      schema: {
        tags: ['xray'],
        summary: 'Store a chest X-ray for an asynchronous pneumonia prediction',
        description:
          'The body of POST /v1/xray/predict: multipart/form-data with the image in a part named "image" and optional ' +
          'fields accessionNumber and patientRef. The image is checked and decoded now (413 above the size or pixel ' +
          'limits, 415 for a type or DICOM transfer syntax that cannot be decoded, 400/422 for corrupt images); a DICOM ' +
          'is de-identified (PS3.15 basic profile) before it is stored. Inference predicts on it from the XrayReceived ' +
          'event; poll the Location until status is done.',
        consumes: ['multipart/form-data'],
        body: UploadForm,
        response: { 202: { description: 'Stored; the prediction follows', ...Accepted } },
      },
    },
    async (request, reply) => {
      const upload = await readImageUpload(request, studies.maxImageBytes);
      const study = await acceptStudy(
        { bytes: upload.image, source: 'upload', clientName: request.client!.name, accessionNumber: upload.accessionNumber, patientRef: upload.patientRef },
        studies,
      );
      return reply
        .code(202)
        .header('location', `/v1/xray/studies/${study.id}`)
        .send({ studyId: study.id, imageSha256: study.receivedSha256, status: 'pending' as const });
    },
  );

  app.get(
    '/v1/xray/studies/:studyId',
    {
      config: { scopes: ['xray:submit'] },
      schema: {
        tags: ['xray'],
        summary: 'A stored X-ray study and, once made, its prediction',
        description: 'The prediction has the shape of the POST /v1/xray/predict answer. Accession number and patient reference are not returned.',
        params: Type.Object({ studyId: Type.String({ format: 'uuid' }) }),
        response: { 200: Study },
      },
    },
    async (request) => {
      const { study, status, prediction } = await getStudy(request.params.studyId, studies);
      return {
        studyId: study.id, imageSha256: study.receivedSha256, storedSha256: study.storedSha256, mediaType: study.mediaType,
        studyUid: study.studyUid, source: study.source, createdAt: study.createdAt.toISOString(), status,
        ...(prediction ? { prediction } : {}),
      };
    },
  );
};
