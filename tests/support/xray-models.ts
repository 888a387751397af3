import type { VigilApp } from '@vigil/common';
import type { startChurnStack } from './churn-stack';
import { waitFor } from './kafka';
import { xraySample, xrayTar } from './xray-fixtures';

type Stack = Awaited<ReturnType<typeof startChurnStack>>;

/**
 * The X-ray pipeline as an ML engineer runs it, through the APIs: upload `perSubtype` images of
 * each subtype (one per patient), train xray-pneumonia and xray-type, promote both, and wait until
 * inference serves them. For tests that need a live model, not a good one: keep the sample small.
 */
export async function trainAndPromoteXrayModels(
  stack: Stack,
  mlKey: string,
  perSubtype = 12,
  /** Runs once both models are trained, before either is live. */
  beforePromotion: () => Promise<void> = async () => undefined,
): Promise<void> {
  const call = (app: VigilApp, method: 'GET' | 'POST', url: string, payload?: unknown, contentType = 'application/json') =>
    app.inject({ method, url, headers: { authorization: `Bearer ${mlKey}`, 'content-type': contentType }, payload: payload as string });
  const uploaded = await call(stack.ingestion, 'POST', '/v1/datasets/xray', await xrayTar(xraySample(perSubtype)), 'application/x-tar');
  if (uploaded.statusCode !== 201) throw new Error(`X-ray dataset upload: ${uploaded.statusCode} ${uploaded.body}`);
  const queued = await call(stack.training, 'POST', '/v1/training/jobs', { pipeline: 'xray', datasetId: uploaded.json().datasetId });
  if (queued.statusCode !== 202) throw new Error(`training job: ${queued.statusCode} ${queued.body}`);
  const job = await waitFor(
    async () => (await call(stack.training, 'GET', `/v1/training/jobs/${queued.json().jobId}`)).json(),
    (j) => j.status === 'succeeded' || j.status === 'failed',
    240_000,
  );
  if (job.status !== 'succeeded') throw new Error(`xray training ${job.status}: ${job.error}`);
  await beforePromotion();
  for (const m of job.models as Array<{ name: string; version: number }>) {
    const promoted = await call(stack.training, 'POST', `/v1/models/${m.name}/versions/${m.version}/promote`, {});
    if (promoted.statusCode !== 200) throw new Error(`promote ${m.name} v${m.version}: ${promoted.statusCode} ${promoted.body}`);
    await waitFor(() => stack.live.get(m.name)?.ref.version, (v) => v === m.version, 30_000);
  }
}
