// parseDicomBytes: the shared parser with its refusals mapped to VigilErrors, so that reading the
// UIDs refuses exactly what decoding would.
import { assertWithinByteBudget, decodeImage, deidentifyDicom, parseDicomBytes, type ImageLimits } from '@vigil/common';
import type { StudyImageCodec } from '../../domain/study-ports';

/**
 * The imaging library of @vigil/common behind the study use cases: the same decoder inference uses
 * (so what ingestion accepts, inference can read) and PS3.15 de-identification keyed by
 * DEIDENTIFY_UID_SECRET, which must equal inference's so that one study keeps one re-mapped UID.
 */
export function createStudyCodec(options: { limits: ImageLimits; uidSecret: string }): StudyImageCodec {
  return {
    async validate(bytes) {
      const image = await decodeImage(bytes, options.limits);
      return { format: image.format, sha256: image.sha256 };
    },
    deidentify(bytes) {
      const result = deidentifyDicom(bytes, { uidSecret: options.uidSecret, limits: options.limits });
      return { bytes: result.bytes, studyUid: result.studyInstanceUid };
    },
    identify(bytes) {
      assertWithinByteBudget(bytes.length, options.limits);
      const { dataSet } = parseDicomBytes(bytes, options.limits);
      const uid = (tag: string) => dataSet.string(tag)?.replace(/\0/g, '').trim() || undefined;
      return { sopClassUid: uid('x00080016'), sopInstanceUid: uid('x00080018'), studyInstanceUid: uid('x0020000d') };
    },
  };
}
