import { decodeImage, deidentifyDicom, preprocessGray, type ImageLimits, type PreprocessSpec } from '@vigil/common';
import type { ImageCodec } from '../../domain/image-ports';

/**
 * The imaging library of @vigil/common behind the inference domain's port: the same decode and
 * preprocessing code that training used for the version, and PS3.15 de-identification before any
 * DICOM is stored. UIDs are re-mapped with a keyed hash, so one study keeps one (new) study UID.
 */
export function createImageCodec(options: { limits: ImageLimits; uidSecret: string }): ImageCodec {
  return {
    decode: (bytes) => decodeImage(bytes, options.limits),
    preprocess: (image, spec) => preprocessGray(image.gray, image.width, image.height, spec as PreprocessSpec),
    forStorage: (image, bytes) => (image.format === 'dicom' ? deidentifyDicom(bytes, { uidSecret: options.uidSecret }).bytes : bytes),
  };
}
