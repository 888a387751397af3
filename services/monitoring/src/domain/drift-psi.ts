import { isVigilError } from '@vigil/common';
import type { DriftReader } from './drift-ports';
import { modelDrift } from './measure-drift';
import { PSI_SCORE_FEATURE } from './policy';
import type { PsiSource } from './policy-ports';

/**
 * PSI for psi policies, from the drift measurement of GET …/drift: the score's under 'score', each
 * input feature's under its name. A version without a reference distribution has no PSI (null),
 * which the evaluator reads as an undefined metric rather than an error.
 */
export function createDriftPsi(reader: DriftReader): PsiSource {
  return {
    async psi({ modelName, modelVersion, window }) {
      try {
        const drift = await modelDrift(reader, { modelName, window, version: modelVersion });
        return new Map([[PSI_SCORE_FEATURE, drift.score], ...drift.features.map((f): [string, number | null] => [f.feature, f.psi])]);
      } catch (err) {
        if (isVigilError(err) && err.code === 'VIGIL_NOT_FOUND') return null;
        throw err;
      }
    },
  };
}
