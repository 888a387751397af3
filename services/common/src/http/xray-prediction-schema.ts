import { Type } from '@sinclair/typebox';

const ModelRef = Type.Object({ name: Type.String(), version: Type.Integer(), sha256: Type.String() });

/**
 * The answer to a chest X-ray: inference's POST /v1/xray/predict returns it, and ingestion's
 * GET /v1/xray/studies/{id} embeds it once the study is predicted, so a client reads both alike.
 */
export const XrayPredictionSchema = Type.Object({
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
