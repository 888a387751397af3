import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, VigilError, type VigilRoutes } from '@vigil/common';
import type { AcceptStudyDeps } from '../domain/accept-study';
import { storeInstances } from '../domain/store-instances';
import { parseMediaType, parseMultipart } from './multipart-related';
import { stowResponse } from './stow-response';

export interface DicomwebStowRouteDeps {
  studies: AcceptStudyDeps & { maxStowBytes: number };
}

const DICOM_JSON = 'application/dicom+json';

// The body reaches the handler as a Buffer, split there (multipart-related.ts), so the schema
// constrains nothing (a `type` would fail against the Buffer): it documents the media type.
const StowBody = Type.Unsafe<unknown>({ description: 'type="application/dicom"; boundary=…: one DICOM Part 10 instance per part' });
const SequenceItem = {
  type: 'object',
  // Serialized as built: without this, fast-json-stringify would write every item as {}.
  additionalProperties: true,
  description: 'ReferencedSOPClassUID (00081150), ReferencedSOPInstanceUID (00081155) as sent; stored: RetrieveURL (00081190), WarningReason (00081196); failed: FailureReason (00081197)',
};
const Sequence = { type: 'object', properties: { vr: { type: 'string', const: 'SQ' }, Value: { type: 'array', items: SequenceItem } } };
const StoreResponse = Type.Unsafe<unknown>({
  type: 'object',
  description: 'Store Instances Response Module (PS3.18 10.5.3), DICOM JSON Model',
  properties: {
    '00081199': { ...Sequence, description: 'Referenced SOP Sequence: the instances stored' },
    '00081198': { ...Sequence, description: 'Failed SOP Sequence: the instances not stored' },
  },
});
const stowAnswer = (description: string) => ({ description, content: { [DICOM_JSON]: { schema: StoreResponse } } });

const description =
  'DICOMweb Store Instances (PS3.18 10.5) for a PACS or a DICOM router (Orthanc: DicomWeb.Servers with an ' +
  '"Authorization: Bearer <key>" header). Each application/dicom part goes through the same checks as ' +
  'POST /v1/xray/studies and becomes a study (source "stow-rs"), de-identified before it is stored; the answer ' +
  'refers to each instance by the UIDs it was sent with, and its RetrieveURL is GET /v1/xray/studies/{id}. Failure ' +
  'Reasons: 0xC000 cannot understand, 0xC122 transfer syntax not supported, 0x0122 SOP class not supported (no ' +
  'pixel data), 0xA900 data set does not match (e.g. another study than the URL names), 0xA700 out of resources, ' +
  '0x0110 processing failure. Warning Reason 0xB000 on every stored instance: it was de-identified.';

/** POST /dicomweb/studies[/{studyUID}]: STOW-RS into the study pipeline. */
export const dicomwebStowRoutes: VigilRoutes<DicomwebStowRouteDeps> = async (app, { studies }) => {
  // Registered in this plugin only. The whole body is needed (parts are split by boundary).
  app.addContentTypeParser('multipart/related', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  async function store(request: FastifyRequest<{ Params: { studyUID?: string } }>, reply: FastifyReply) {
    const { params } = parseMediaType(request.headers['content-type']);
    const type = params.type?.split(';')[0]!.trim().toLowerCase();
    if (type !== undefined && type !== 'application/dicom') {
      throw new VigilError('VIGIL_UNSUPPORTED_MEDIA_TYPE', `Send multipart/related; type="application/dicom" (PS3.10 instances), not type="${type}"`);
    }
    const parts = parseMultipart(Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0), params.boundary ?? '');
    if (parts.length === 0) throw new VigilError('VIGIL_VALIDATION', 'The multipart/related body holds no instance');
    const instances = parts.map((part) => ({
      bytes: part.body,
      mediaType: part.headers['content-type'] ? parseMediaType(part.headers['content-type']).essence : null,
    }));
    const outcomes = await storeInstances(instances, { clientName: request.client!.name, studyInstanceUid: request.params.studyUID }, studies);
    outcomes.forEach((o, i) => {
      if (o.stored) return;
      // The reason only: no UIDs, no tag values (they identify the patient's study).
      const entry = { part: i + 1, failureReason: `0x${o.failureReason.toString(16).toUpperCase()}`, code: o.error.code, detail: o.error.message };
      if (o.error.status >= 500) request.log.error({ ...entry, err: o.error }, 'STOW-RS instance not stored');
      else request.log.info(entry, 'STOW-RS instance refused');
    });
    const base = `${request.protocol}://${request.host}`;
    const { status, body } = stowResponse(outcomes, (id) => `${base}/v1/xray/studies/${id}`);
    request.log.info({ instances: outcomes.length, stored: outcomes.filter((o) => o.stored).length }, 'STOW-RS request answered');
    return reply.code(status).type(DICOM_JSON).send(body);
  }

  const schema = {
    tags: ['dicomweb'],
    body: { content: { 'multipart/related': { schema: StowBody } } },
    response: {
      200: stowAnswer('Every instance was stored'),
      202: stowAnswer('Some instances were stored; the Failed SOP Sequence lists the others'),
      400: stowAnswer('No instance could be understood (or the body is not multipart/related: problem+json)'),
      409: stowAnswer('No instance was stored: a conflict in what was sent'),
      503: stowAnswer('No instance was stored for want of resources that may come back (blob store, database): retry'),
    },
  };
  // PS3.18 10.5.1: a STOW-RS body is multipart/related. JSON or anything else is the wrong media
  // type (415), decided before any parser reads the body (a JSON one would have been parsed).
  const onRequest = async (request: { headers: { 'content-type'?: string } }) => {
    const { essence } = parseMediaType(request.headers['content-type']);
    if (essence !== 'multipart/related') {
      throw new VigilError('VIGIL_UNSUPPORTED_MEDIA_TYPE', `Send multipart/related; type="application/dicom" (PS3.10 instances), not ${essence || 'no content type'}`);
    }
  };
  const config = { scopes: ['xray:submit'] };
  // fastify logs each request's URL, and a Study Instance UID in it identifies the patient's study
  // (PS3.15 re-maps it): this route's request log gives the route pattern instead.
  const logSerializers = {
    req: (req: FastifyRequest) => ({ method: req.method, url: req.routeOptions.url, host: req.host, remoteAddress: req.ip }),
  };
  app.post('/dicomweb/studies', { config, onRequest, bodyLimit: studies.maxStowBytes, schema: { ...schema, summary: 'STOW-RS: store DICOM instances', description } }, store);
  app.post(
    '/dicomweb/studies/:studyUID',
    {
      config,
      onRequest,
      bodyLimit: studies.maxStowBytes,
      logSerializers,
      schema: {
        ...schema,
        summary: 'STOW-RS: store DICOM instances of one study',
        description: `${description} Instances whose Study Instance UID (as sent) is not {studyUID} fail with 0xA900.`,
        params: Type.Object({ studyUID: Type.String({ pattern: '^[0-9.]{1,64}$', description: 'Study Instance UID, as the instances carry it' }) }),
      },
    },
    store,
  );
};
