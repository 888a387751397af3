import { data, log, type DcmjsDataset, type DcmjsDicomDict, type DcmjsElement } from 'dcmjs';
import { VigilError } from '../errors/vigil-error';
import { parseDicomBytes } from './dicom-parse';
import { PATIENT_CHARACTERISTIC_TAGS, PHI_TAGS, type BasicProfileAction } from './dicom-phi-tags';
import { remapUid } from './dicom-uid-map';
import { writePart10 } from './dicom-write';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image-limits';

export interface DeidentifyOptions {
  /** Key of the UID re-mapping; the same secret must be used for every image of a study. */
  uidSecret: string;
  /** PS3.15 E.3.7: keep age, sex, size, weight, ethnic group, smoking and pregnancy status. */
  retainPatientCharacteristics?: boolean;
  /** Bounds the inflation of a Deflated dataset; defaults to DEFAULT_IMAGE_LIMITS. */
  limits?: ImageLimits;
}

export interface DeidentifiedDicom {
  bytes: Uint8Array;
  /** Elements removed or blanked, private and nested ones included (UID re-mappings are not counted). */
  removedTags: number;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

// A guessable key would let anyone re-derive the mapping from the original UIDs.
const MIN_SECRET_LENGTH = 16;
const RULES = new Map(PHI_TAGS.map((row) => [row.tag, row.action]));
// Station identity in the file meta (PS3.10 7.1): AE titles name a hospital's machines, like Station AE Title (X).
const META_REMOVED = ['00020016', '00020017', '00020018'];
const DUMMY: Record<string, unknown> = { PN: { Alphabetic: 'ANONYMIZED' }, DA: '19000101', TM: '000000', DT: '19000101000000', AS: '000Y' };
const NUMERIC_VRS = new Set(['IS', 'DS', 'US', 'SS', 'UL', 'SL', 'FL', 'FD', 'UV', 'SV']);
const TEXT_VRS = new Set(['AE', 'CS', 'LO', 'SH', 'ST', 'LT', 'UT', 'UC']);

/**
 * DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile, with dcmjs reading and
 * writing the dataset. dcmjs ships an anonymizer (`anonymizer.cleanTags`), but it only blanks a
 * fixed list of top-level keywords: it neither recurses into sequences, nor removes private
 * attributes, nor re-maps UIDs, so the profile is applied here from PHI_TAGS. Pixel data and the
 * transfer syntax are kept as they are; burned-in text in the pixels is not touched (Clean Pixel Data
 * Option, E.3.1, not implemented).
 */
export function deidentifyDicom(bytes: Uint8Array, options: DeidentifyOptions): DeidentifiedDicom {
  if (options.uidSecret.length < MIN_SECRET_LENGTH) {
    throw new VigilError('VIGIL_CONFIG', `The UID secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const dicom = readWithDcmjs(bytes, options.limits ?? DEFAULT_IMAGE_LIMITS);
  const context = { secret: options.uidSecret, retain: options.retainPatientCharacteristics ?? false, removed: 0 };
  clean(dicom.meta, context);
  for (const tag of META_REMOVED) if (dicom.meta[tag] && delete dicom.meta[tag]) context.removed++;
  clean(dicom.dict, context);
  markDeidentified(dicom.dict, context.retain);
  const uid = (tag: string, name: string): string => {
    const value = dicom.dict[tag]?.Value?.[0];
    if (typeof value !== 'string' || !value) throw new VigilError('VIGIL_UNPROCESSABLE', `The DICOM object lacks its ${name}`);
    return value;
  };
  return {
    studyInstanceUid: uid('0020000D', 'Study Instance UID (0020,000D)'),
    seriesInstanceUid: uid('0020000E', 'Series Instance UID (0020,000E)'),
    sopInstanceUid: uid('00080018', 'SOP Instance UID (0008,0018)'),
    bytes: writePart10(dicom),
    removedTags: context.removed,
  };
}

interface CleanContext {
  secret: string;
  retain: boolean;
  removed: number;
}

function clean(dataset: DcmjsDataset, context: CleanContext): void {
  for (const [tag, element] of Object.entries(dataset)) {
    const action = removedFamily(tag) ? 'X' : RULES.get(tag);
    if (action && !(context.retain && PATIENT_CHARACTERISTIC_TAGS.has(tag)) && apply(dataset, tag, element, action, context)) continue;
    if (element.vr === 'SQ') for (const item of element.Value ?? []) clean(item as DcmjsDataset, context);
  }
}

/**
 * Private attributes (odd groups; PS3.15 E.1.1 removes them all) and the repeating groups that
 * Table E.1-1 lists as ranges: curve data (50xx), overlay data and comments (60xx,3000 / 60xx,4000),
 * the retired Results group (4008) and GPS data (0016,0070-008E).
 */
function removedFamily(tag: string): boolean {
  const group = parseInt(tag.slice(0, 4), 16);
  const element = parseInt(tag.slice(4), 16);
  return (
    group % 2 === 1 ||
    (group & 0xff00) === 0x5000 ||
    ((group & 0xff00) === 0x6000 && (element === 0x3000 || element === 0x4000)) ||
    group === 0x4008 ||
    (group === 0x0016 && element >= 0x0070 && element <= 0x008e)
  );
}

/** Applies one action; true when the element is gone or emptied, so there is nothing left to recurse into. */
function apply(dataset: DcmjsDataset, tag: string, element: DcmjsElement, action: BasicProfileAction, context: CleanContext): boolean {
  const had = (element.Value?.length ?? 0) > 0;
  if (action === 'X/Z/U*') return false; // kept; the recursion re-maps the UIDs inside
  if (action === 'U' || (action === 'D' && element.vr === 'UI')) {
    element.Value = (element.Value ?? []).map((uid) => (typeof uid === 'string' && uid ? remapUid(uid, context.secret) : uid));
    delete element._rawValue; // dcmjs writes _rawValue instead of Value when it still matches
    return false;
  }
  if (action.startsWith('X')) {
    delete dataset[tag];
  } else {
    element.Value = action === 'D' && had ? dummyFor(element.vr) : [];
    delete element._rawValue;
  }
  if (had || action.startsWith('X')) context.removed++;
  return true;
}

/** A dummy value consistent with the VR (E.3.1 action D); sequences and binary values are emptied instead. */
function dummyFor(vr: string): unknown[] {
  if (vr in DUMMY) return [DUMMY[vr]];
  if (NUMERIC_VRS.has(vr)) return [0];
  if (TEXT_VRS.has(vr)) return ['ANONYMIZED'];
  return [];
}

/** PS3.15 E.1.1: Patient Identity Removed, De-identification Method and its CID 7050 codes. */
function markDeidentified(dict: DcmjsDataset, retain: boolean): void {
  const code = (value: string, meaning: string): DcmjsDataset => ({
    '00080100': { vr: 'SH', Value: [value] },
    '00080102': { vr: 'SH', Value: ['DCM'] },
    '00080104': { vr: 'LO', Value: [meaning] },
  });
  const methods = ['PS3.15 Basic Application Level Confidentiality Profile', 'UIDs re-mapped by HMAC-SHA256 to 2.25'];
  const codes = [code('113100', 'Basic Application Confidentiality Profile')];
  if (retain) {
    methods.splice(1, 0, 'Retain Patient Characteristics Option');
    codes.push(code('113108', 'Retain Patient Characteristics Option'));
  }
  dict['00120062'] = { vr: 'CS', Value: ['YES'] };
  dict['00120063'] = { vr: 'LO', Value: methods };
  dict['00120064'] = { vr: 'SQ', Value: codes };
}

function readWithDcmjs(bytes: Uint8Array, limits: ImageLimits): DcmjsDicomDict {
  // dicom-parser first: dcmjs reads a truncated file without complaint, padding what is missing.
  const parsed = parseDicomBytes(bytes, limits);
  const part10 = parsed.hasFileMeta ? bytes : withFileMeta(bytes, parsed.transferSyntax.uid, parsed.dataSet.string('x00080016'), parsed.dataSet.string('x00080018'));
  // dcmjs logs through loglevel to the console, around pino; what matters is thrown anyway. The
  // validation child logger has a level of its own (loglevel 1.x does not pass the root's down).
  log.setLevel('silent');
  log.getLogger('validation.dcmjs').setLevel('silent');
  try {
    return data.DicomMessage.readFile(new Uint8Array(part10).buffer); // a copy: dcmjs wants a whole ArrayBuffer
  } catch (err) {
    throw new VigilError('VIGIL_VALIDATION', `The DICOM file could not be read for de-identification: ${(err as Error).message}`, { cause: err });
  }
}

// The implementation class UID that Vigil writes into file meta it creates ('2.25.' + a random UUID).
const IMPLEMENTATION_CLASS_UID = '2.25.148760960912359155798944872262700997773';

/** A dataset received without preamble and file meta gets both (PS3.10 7.1), so that it is Part 10 from here on. */
function withFileMeta(dataset: Uint8Array, transferSyntaxUid: string, sopClassUid?: string, sopInstanceUid?: string): Uint8Array {
  if (!sopClassUid || !sopInstanceUid) throw new VigilError('VIGIL_UNPROCESSABLE', 'The DICOM dataset lacks its SOP Class or SOP Instance UID');
  const meta: DcmjsDataset = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: [sopClassUid] },
    '00020003': { vr: 'UI', Value: [sopInstanceUid] },
    '00020010': { vr: 'UI', Value: [transferSyntaxUid] },
    '00020012': { vr: 'UI', Value: [IMPLEMENTATION_CLASS_UID] },
  };
  return Buffer.concat([new Uint8Array(new data.DicomDict(meta).write()), dataset]);
}
