import { deriveSeed, mulberry32, shuffleInPlace } from '../churn/random';

export interface PatientSplit {
  train: number[];
  validation: number[];
  test: number[];
}

/**
 * Splits images by patient: all images of one patient land in one part, or the model would be
 * judged on patients it has already seen (Kermany's set has several images per patient). Patients
 * are stratified by whether any of their images is positive, then shuffled with the seed.
 */
export function splitByPatient(
  patientIds: readonly string[],
  positive: ArrayLike<boolean>,
  seed: number,
  fractions = { validation: 0.15, test: 0.15 },
): PatientSplit {
  const imagesOf = new Map<string, number[]>();
  patientIds.forEach((p, i) => {
    const list = imagesOf.get(p) ?? [];
    list.push(i);
    imagesOf.set(p, list);
  });
  const strata: [string[], string[]] = [[], []];
  // Sorted first: the split depends on (data, seed), never on the order rows arrived in.
  for (const p of [...imagesOf.keys()].sort()) strata[imagesOf.get(p)!.some((i) => positive[i]) ? 1 : 0].push(p);
  const split: PatientSplit = { train: [], validation: [], test: [] };
  strata.forEach((patients, s) => {
    shuffleInPlace(patients, mulberry32(deriveSeed(seed, 10 + s)));
    const nTest = Math.round(patients.length * fractions.test);
    const nVal = Math.round(patients.length * fractions.validation);
    patients.forEach((p, k) => {
      const part = k < nTest ? split.test : k < nTest + nVal ? split.validation : split.train;
      part.push(...imagesOf.get(p)!);
    });
  });
  for (const part of Object.values(split)) part.sort((a: number, b: number) => a - b);
  return split;
}
