import { VigilError } from '@vigil/common';
import type { ScannedFile } from './xray-archive-scan';
import type { Manifest, ManifestRow } from './xray-manifest';
import { canonicalPath } from './xray-paths';
import type { XrayImage, XrayLabel, XraySubtype } from './xray-ports';
import { MAX_REPORTED_ERRORS, type RowError } from './validate-churn-table';

/** Which subtypes go with which label: the Kermany data set's folders and file-name suffixes. */
const SUBTYPES: Record<XrayLabel, readonly XraySubtype[]> = {
  NORMAL: ['normal'],
  PNEUMONIA: ['bacterial', 'viral'],
};
const LABELS = Object.keys(SUBTYPES) as XrayLabel[];
const ALL_SUBTYPES = Object.values(SUBTYPES).flat();
/** Patient ids in the data set are like "person1000" or "IM-0115"; the cap bounds what is echoed. */
const MAX_PATIENT_ID_LENGTH = 128;

const ROW_NUMBERS = 'Rows are numbered from 1, counting data rows of manifest.csv only (header and blank lines excluded)';

type Fail = (column: string | null, message: string) => void;

/**
 * Checks every manifest row against the rules and against what the archive held, collecting the
 * errors of all rows so that one answer lists what to fix; any error rejects the whole upload.
 * Labels and subtypes are accepted in any case and stored in the canonical one (NORMAL, viral).
 */
export function validateXrayManifest(manifest: Manifest, files: ReadonlyMap<string, ScannedFile>): XrayImage[] {
  const errors: RowError[] = [];
  let errorCount = 0;
  const invalidRows = new Set<number>();
  const firstRowOf = new Map<string, number>();
  const images: XrayImage[] = [];

  for (const row of manifest.rows) {
    const fail: Fail = (column, message) => {
      errorCount++;
      invalidRows.add(row.row);
      // Only the first ones are kept: 100k bad rows must not become 100k objects in the answer.
      if (errors.length < MAX_REPORTED_ERRORS) errors.push(column ? { row: row.row, column, message } : { row: row.row, message });
    };
    if (row.width < manifest.headerWidth) {
      fail(null, `has ${row.width} fields; the header has ${manifest.headerWidth}`);
      continue;
    }
    const image = resolveImage(row, manifest.folder, files, firstRowOf);
    if (typeof image === 'string') fail('path', image);
    const labels = checkLabels(row, fail);
    const patientId = row.cells.patient_id ?? '';
    const patientProblem = checkPatientId(patientId);
    if (patientProblem) fail('patient_id', patientProblem);
    if (typeof image !== 'string' && labels && !patientProblem) images.push({ ...image, ...labels, patientId });
  }
  if (errorCount > 0) {
    const total = manifest.rows.length;
    throw new VigilError('VIGIL_UNPROCESSABLE', `${invalidRows.size} of ${total} manifest rows are invalid; nothing was imported. ${ROW_NUMBERS}.`, {
      details: { errors, errorCount, invalidRowCount: invalidRows.size, truncated: errorCount > errors.length },
    });
  }
  return images;
}

type ImageFields = Omit<XrayImage, 'label' | 'subtype' | 'patientId'>;

/** The row's image, or what is wrong with its path: it must name a stored PNG or JPEG, once. */
function resolveImage(row: ManifestRow, folder: string, files: ReadonlyMap<string, ScannedFile>, firstRowOf: Map<string, number>): ImageFields | string {
  const raw = row.cells.path ?? '';
  if (raw === '') return 'must not be blank';
  const canonical = canonicalPath(raw);
  if (!canonical.ok) return `${JSON.stringify(raw.slice(0, 200))} ${canonical.reason}`;
  const path = canonical.path;
  const first = firstRowOf.get(path);
  if (first !== undefined) return `duplicates row ${first} (${JSON.stringify(path)})`;
  firstRowOf.set(path, row.row);
  const inArchive = folder ? `${folder}/${path}` : path;
  const file = files.get(inArchive);
  if (!file) return `${JSON.stringify(inArchive)} is not a file in the archive`;
  if (file.kind === 'rejected') return `${JSON.stringify(inArchive)} ${file.problem}`;
  return { path, sha256: file.sha256, mediaType: file.mediaType, width: file.width, height: file.height };
}

function checkLabels(row: ManifestRow, fail: Fail): { label: XrayLabel; subtype: XraySubtype } | null {
  const label = (row.cells.label ?? '').toUpperCase() as XrayLabel;
  const subtype = (row.cells.subtype ?? '').toLowerCase() as XraySubtype;
  const labelOk = LABELS.includes(label);
  const subtypeOk = ALL_SUBTYPES.includes(subtype);
  if (!labelOk) fail('label', `must be one of ${LABELS.join(', ')} (any case)`);
  if (!subtypeOk) fail('subtype', `must be one of ${ALL_SUBTYPES.join(', ')} (any case)`);
  if (!labelOk || !subtypeOk) return null;
  if (!SUBTYPES[label].includes(subtype)) {
    fail('subtype', `"${subtype}" does not go with label ${label}: expected ${SUBTYPES[label].join(' or ')}`);
    return null;
  }
  return { label, subtype };
}

/** The patient id, or what is wrong with it. */
function checkPatientId(patientId: string): string | null {
  if (patientId === '') return 'must not be blank';
  if (patientId.length > MAX_PATIENT_ID_LENGTH) return `must be at most ${MAX_PATIENT_ID_LENGTH} characters`;
  return null;
}
