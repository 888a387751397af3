import { VigilError } from '@vigil/common';
import type { Quality } from './quality';
import { parseWindow, type Window } from './windows';

/** What a policy can watch: the quality metrics of GET …/performance, and PSI (drift, needs no labels). */
export const POLICY_METRICS = ['recall', 'precision', 'f1', 'roc_auc', 'specificity', 'false_negative_rate', 'brier', 'psi'] as const;
export type PolicyMetric = (typeof POLICY_METRICS)[number];
export const COMPARATORS = ['<', '>'] as const;
export type Comparator = (typeof COMPARATORS)[number];
export const POLICY_SEVERITIES = ['warning', 'critical'] as const;
export type PolicySeverity = (typeof POLICY_SEVERITIES)[number];

/** PSI of the model's output unless the policy names an input feature. */
export const PSI_SCORE_FEATURE = 'score';
/** A breach asks for retraining; a breach again within a day would only queue the same job twice. */
export const DEFAULT_COOLDOWN_SECONDS = 86_400;
/** Shorter cooldowns would let a breached policy re-alert every evaluation pass. */
export const MIN_COOLDOWN_SECONDS = 60;
export const MAX_COOLDOWN_SECONDS = 90 * 86_400;
export const DEFAULT_MIN_LABELLED = 100;

/** What a policy says, as created or replaced over the API. */
export interface PolicySpec {
  metric: PolicyMetric;
  /** psi only: 'score' or an input feature; null for the other metrics. */
  feature: string | null;
  comparator: Comparator;
  threshold: number;
  /** A look-back window name such as 1h, one of MONITORING_WINDOWS when created. */
  window: string;
  /** Labelled predictions in the window below which a label-based metric is not judged. */
  minLabelled: number;
  cooldownSeconds: number;
  severity: PolicySeverity;
  enabled: boolean;
  /** Whether a breach also asks training for a new version. */
  retrain: boolean;
}

export interface Policy extends PolicySpec {
  id: string;
  modelName: string;
  createdBy: string;
  createdAt: Date;
  updatedBy: string;
  updatedAt: Date;
  /** 1 when created, +1 per update: tells an evaluation whether the policy it read is still the current one. */
  revision: number;
}

/** The training pipeline that produces a model, for the TrainingRequested of a breach; null when none does. */
export function trainingPipelineFor(modelName: string): 'churn' | 'xray' | null {
  if (modelName === 'churn') return 'churn';
  if (modelName.startsWith('xray-')) return 'xray';
  return null;
}

/** The value of a label-based metric in a version's quality (null where undefined); psi is not one. */
export function qualityMetric(metric: Exclude<PolicyMetric, 'psi'>, q: Quality): number | null {
  switch (metric) {
    case 'recall': return q.recall;
    case 'precision': return q.precision;
    case 'f1': return q.f1;
    case 'roc_auc': return q.rocAuc;
    case 'specificity': return q.specificity;
    case 'false_negative_rate': return q.falseNegativeRate;
    case 'brier': return q.brier;
  }
}

const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
export const COOLDOWN_PATTERN = ISO_DURATION.source;

/** 3600 or "PT1H" → 3600 (seconds). ISO 8601 durations in days, hours, minutes, seconds; no months or years (their length varies). */
export function parseCooldown(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = ISO_DURATION.exec(value);
  if (!m || value === 'P' || value.endsWith('T')) throw new VigilError('VIGIL_VALIDATION', `cooldown ${JSON.stringify(value)} is not seconds or an ISO 8601 duration like PT6H, P1D`);
  const [d, h, min, s] = m.slice(1).map((part) => Number(part ?? 0));
  return ((d * 24 + h) * 60 + min) * 60 + s;
}

/** 90000 → "P1DT1H": the cooldown as the API shows it. */
export function formatCooldown(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  return `P${d ? `${d}D` : ''}${time ? `T${time}` : d ? '' : 'T0S'}`;
}

/**
 * Rules the request schema cannot say: 422 naming what is wrong. Ratios and the Brier score lie in
 * [0, 1], so a threshold outside it could never (or would always) breach; PSI is ≥ 0 and is about
 * a feature; a window must be one the service measures; retraining needs a pipeline for the model.
 */
export function checkPolicy(modelName: string, spec: PolicySpec, windows: readonly Window[]): void {
  const problems: string[] = [];
  if (spec.metric === 'psi') {
    if (spec.threshold < 0) problems.push('threshold: PSI is never negative');
  } else {
    if (spec.threshold < 0 || spec.threshold > 1) problems.push(`threshold: ${spec.metric} lies between 0 and 1`);
    if (spec.feature !== null) problems.push(`feature: only a psi policy is about a feature, not ${spec.metric}`);
  }
  const window = parseWindow(spec.window);
  if (!windows.some((w) => w.ms === window.ms)) {
    problems.push(`window: ${spec.window} is not measured here (MONITORING_WINDOWS: ${windows.map((w) => w.name).join(', ')})`);
  }
  if (spec.cooldownSeconds < MIN_COOLDOWN_SECONDS || spec.cooldownSeconds > MAX_COOLDOWN_SECONDS) {
    problems.push(`cooldown: between ${formatCooldown(MIN_COOLDOWN_SECONDS)} and ${formatCooldown(MAX_COOLDOWN_SECONDS)}`);
  }
  if (spec.retrain && trainingPipelineFor(modelName) === null) {
    problems.push(`retrain: no training pipeline produces model ${modelName}; set retrain to false`);
  }
  if (problems.length > 0) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `Policy for ${modelName} is not valid: ${problems.join('; ')}`, { details: { errors: problems } });
  }
}
