import { Type, VigilError, type ChurnRow, type VigilRoutes } from '@vigil/common';
import type { CustomerRecords } from '../domain/ports';
import { MAX_ENTITY_ID, type InferenceDeps } from '../domain/run-inference';
import { scoreChurn } from '../domain/score-churn';

export interface ChurnRoutesDeps extends InferenceDeps {
  customers: CustomerRecords;
}

const Explanation = Type.Array(Type.Object({ feature: Type.String(), contribution: Type.Number() }));
const ScoreResponse = Type.Object({
  model: Type.Object({ name: Type.String(), version: Type.Integer(), sha256: Type.String() }),
  predictions: Type.Array(
    Type.Object({ customerID: Type.String(), probability: Type.Number(), churn: Type.Boolean(), predictionId: Type.String(), explanation: Explanation }),
  ),
});
// Row contents are checked by the domain (one 422 listing every bad row), not here.
const CustomerRow = Type.Object({ customerID: Type.String({ minLength: 1, maxLength: MAX_ENTITY_ID }) }, { additionalProperties: true });

export const churnScoreRoutes: VigilRoutes<ChurnRoutesDeps> = async (app, deps) => {
  app.post(
    '/v1/churn/score',
    {
      config: { scopes: ['churn:score'] },
      schema: {
        tags: ['churn'],
        summary: 'Churn probability, decision and explanation for 1 to 1,000 customers (audited)',
        body: Type.Object({ customers: Type.Array(CustomerRow, { minItems: 1, maxItems: 1000 }) }, { additionalProperties: false }),
        response: { 200: ScoreResponse },
      },
    },
    async (request) =>
      scoreChurn(request.body.customers as ChurnRow[], { requestId: String(request.id), clientName: request.client!.name }, deps),
  );

  app.get(
    '/v1/churn/customers/:customerID/score',
    {
      config: { scopes: ['churn:score'] },
      schema: {
        tags: ['churn'],
        summary: "Score a customer's current stored record",
        params: Type.Object({ customerID: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: ScoreResponse },
      },
    },
    async (request) => {
      const record = await deps.customers.get(request.params.customerID);
      if (!record) throw new VigilError('VIGIL_NOT_FOUND', `No stored record for customer ${request.params.customerID}`);
      return scoreChurn([{ ...(record as ChurnRow), customerID: request.params.customerID }], { requestId: String(request.id), clientName: request.client!.name }, deps);
    },
  );
};
