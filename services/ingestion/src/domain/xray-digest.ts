import { createHash } from 'node:crypto';
import type { XrayImage } from './xray-ports';

/**
 * SHA-256 (hex) of an X-ray dataset in canonical form, the identity of a dataset: the same images
 * with the same labels give the same hash whatever the archive format, entry order, top folder
 * name, manifest row order, extra manifest columns or the case of the labels.
 *
 * Canonical form, versioned so that a future change cannot collide with today's hashes:
 *   "vigil.xray.v1\n" + one JSON array [path, label, subtype, patient_id, image sha256] + "\n" per
 *   image, sorted by path (UTF-16 code unit order, as Array.prototype.sort compares strings)
 * Width, height and type are not part of it: they follow from the image bytes, which the image
 * sha256 already covers.
 */
export function xrayDatasetDigest(images: readonly XrayImage[]): string {
  const hash = createHash('sha256');
  hash.update('vigil.xray.v1\n');
  const sorted = [...images].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const image of sorted) {
    hash.update(`${JSON.stringify([image.path, image.label, image.subtype, image.patientId, image.sha256])}\n`);
  }
  return hash.digest('hex');
}
