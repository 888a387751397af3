import type { Deployment, ModelVersion, TrainingJob } from '../../domain/ports';

/** Row → domain mappers shared by the job and registry stores. */
export function toJob(r: Record<string, any>): TrainingJob { // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    id: r.id,
    pipeline: r.pipeline,
    datasetId: r.dataset_id,
    status: r.status,
    progress: Number(r.progress),
    attempts: r.attempts,
    error: r.error,
    metrics: r.metrics,
    lineage: r.lineage,
    modelName: r.model_name,
    modelVersion: r.model_version,
    models: r.models ?? [],
    requestedBy: r.requested_by,
    reason: r.reason ?? 'api',
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export function toVersion(r: Record<string, any>): ModelVersion { // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    name: r.name,
    version: r.version,
    sha256: r.sha256,
    jobId: r.job_id,
    datasetId: r.dataset_id,
    datasetSha256: r.dataset_sha256,
    metrics: r.metrics,
    config: r.config,
    createdAt: r.created_at,
    ...(r.source === 'registered' ? { source: 'registered' as const, lineage: r.lineage ?? {}, registeredBy: r.registered_by } : {}),
    ...(r.job_reason === undefined ? {} : { jobReason: r.job_reason, everLive: r.ever_live }),
  };
}

export function toDeployment(r: Record<string, any>): Deployment { // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    id: Number(r.id),
    name: r.name,
    version: r.version,
    previousVersion: r.previous_version,
    action: r.action,
    actor: r.actor,
    reason: r.reason,
    forced: r.forced,
    deployedAt: r.deployed_at,
  };
}

/** The numeric top-level metrics, for the TrainingCompleted event's map<string, double>. */
export function numericMetrics(metrics: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
}
