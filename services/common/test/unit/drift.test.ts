import { categoricalReference, distribution, numericReference, psi, psiAgainst } from '@vigil/common';

describe('drift: reference distributions and PSI', () => {
  const ages = Array.from({ length: 1000 }, (_, i) => i % 100);

  test('a numeric reference bins by training deciles and puts missing values in their own bin', () => {
    const ref = numericReference('age', [...ages, null, '']);
    expect(ref.edges).toHaveLength(9);
    expect(ref.proportions).toHaveLength(11);
    expect(ref.proportions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(ref.proportions[10]).toBeCloseTo(2 / 1002, 12);
  });

  test('the same distribution has PSI 0; a shifted one crosses the 0.2 alarm line', () => {
    const ref = numericReference('age', ages);
    expect(psiAgainst(ref, ages)).toBeCloseTo(0, 12);
    const older = ages.map((a) => a + 30);
    expect(psiAgainst(ref, older)).toBeGreaterThan(0.2);
    const slightly = ages.map((a) => a + 2);
    expect(psiAgainst(ref, slightly)).toBeLessThan(0.1);
  });

  test('categories never seen in training land in the "other" bin and count as drift', () => {
    const ref = categoricalReference('contract', ['Month-to-month', 'One year', 'Two year', 'One year']);
    expect(distribution(ref, ['Weekly', 'Weekly'])).toEqual([0, 0, 0, 1]);
    expect(psiAgainst(ref, ['Weekly', 'Weekly'])).toBeGreaterThan(1);
  });

  test('PSI is symmetric in its terms and finite when a bin is empty on one side', () => {
    expect(psi([0.5, 0.5], [0.2, 0.8])).toBeCloseTo(psi([0.2, 0.8], [0.5, 0.5]), 12);
    expect(Number.isFinite(psi([1, 0], [0, 1]))).toBe(true);
  });
});
