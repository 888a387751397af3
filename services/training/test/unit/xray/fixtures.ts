import type { XrayImageRef } from '../../../src/domain/ports';
import type { Embeddings } from '../../../src/domain/xray/linear-head';
import { mulberry32 } from '../../../src/domain/churn/random';

/**
 * Synthetic X-ray "embeddings": d dimensions of noise, where pneumonia shifts the first two and
 * bacterial vs viral shifts the third. `patients` patients with 1-2 images each (same label), so
 * the split has to keep a patient's images together.
 */
export function syntheticXrays(patients: number, d = 8, seed = 7): { images: XrayImageRef[]; x: Embeddings } {
  const rng = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const images: XrayImageRef[] = [];
  const rows: number[][] = [];
  for (let p = 0; p < patients; p++) {
    const subtype = (['normal', 'bacterial', 'viral'] as const)[p % 3];
    const count = p % 4 === 0 ? 2 : 1;
    for (let k = 0; k < count; k++) {
      const row = Array.from({ length: d }, gauss);
      if (subtype !== 'normal') {
        row[0] += 2.5;
        row[1] += 1.5;
      }
      if (subtype === 'bacterial') row[2] += 2;
      rows.push(row);
      images.push({
        path: `${subtype}/${p}-${k}.jpeg`, label: subtype === 'normal' ? 'NORMAL' : 'PNEUMONIA', subtype, patientId: `P${p}`,
        sha256: (p * 10 + k).toString(16).padStart(64, '0'),
      });
    }
  }
  return { images, x: { data: Float32Array.from(rows.flat()), n: rows.length, d } };
}
