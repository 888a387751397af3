import type { DataSet } from 'dicom-parser';
import { VigilError } from '../errors/vigil-error';
import type { VoiWindow } from './window-to-bytes';

/** The Image Pixel module (PS3.3 C.7.6.3) plus the modality and VOI attributes that map it to grey. */
export interface PixelModule {
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: 1 | 3;
  photometric: string;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  /** Planar Configuration 1: all red samples, then all green, then all blue. */
  planar: boolean;
  slope: number;
  intercept: number;
  window: VoiWindow;
  paddingValue?: number;
  modality?: string;
}

const MONOCHROME = new Set(['MONOCHROME1', 'MONOCHROME2']);
// YBR_ICT/YBR_RCT exist only inside JPEG 2000, whose decoder returns RGB.
const COLOUR = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_ICT', 'YBR_RCT']);
// Enhanced multi-frame IODs keep rescale and window in functional groups (PS3.3 C.7.6.16).
const SHARED_GROUPS = 'x52009229';
const PER_FRAME_GROUPS = 'x52009230';
const MACROS: Record<string, string> = { x00281053: 'x00289145', x00281052: 'x00289145', x00281050: 'x00289132', x00281051: 'x00289132', x00281056: 'x00289132' };

export function readPixelModule(ds: DataSet): PixelModule {
  const rows = ds.uint16('x00280010');
  const columns = ds.uint16('x00280011');
  const photometric = (ds.string('x00280004') ?? '').trim().toUpperCase();
  const samplesPerPixel = ds.uint16('x00280002') ?? 1;
  const bitsAllocated = ds.uint16('x00280100');
  if (!rows || !columns) unprocessable('lacks Rows (0028,0010) or Columns (0028,0011)');
  if (!MONOCHROME.has(photometric) && !COLOUR.has(photometric)) {
    unprocessable(`has Photometric Interpretation '${photometric || '(none)'}'; MONOCHROME1/2, RGB and YBR_FULL(_422) are supported`);
  }
  if (samplesPerPixel !== (MONOCHROME.has(photometric) ? 1 : 3)) unprocessable(`has ${samplesPerPixel} samples per pixel for ${photometric}`);
  if (bitsAllocated !== 8 && bitsAllocated !== 16) unprocessable(`has Bits Allocated ${bitsAllocated ?? '(none)'}; 8 and 16 are supported`);
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  const highBit = ds.uint16('x00280102') ?? bitsStored - 1;
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit >= bitsAllocated || highBit + 1 < bitsStored) {
    unprocessable(`has inconsistent Bits Stored ${bitsStored} / High Bit ${highBit} for Bits Allocated ${bitsAllocated}`);
  }
  const signed = ds.uint16('x00280103') === 1;
  const slope = numberAt(ds, 'x00281053');
  const padding = ds.elements.x00280120 ? (signed ? ds.int16('x00280120') : ds.uint16('x00280120')) : undefined;
  return {
    rows,
    columns,
    frames: Math.max(1, ds.intString('x00280008') ?? 1),
    samplesPerPixel: samplesPerPixel as 1 | 3,
    photometric,
    bitsAllocated,
    bitsStored,
    highBit,
    signed,
    planar: samplesPerPixel === 3 && ds.uint16('x00280006') === 1,
    // A zero or missing slope would flatten the image; PS3.3 makes it Type 1 wherever it appears.
    slope: slope !== undefined && Number.isFinite(slope) && slope !== 0 ? slope : 1,
    intercept: finiteOr(numberAt(ds, 'x00281052'), 0),
    window: readWindow(ds),
    paddingValue: padding,
    modality: ds.string('x00080060')?.trim() || undefined,
  };
}

/** The first Window Center/Width pair with its VOI LUT Function; min/max of the image when absent or unusable. */
function readWindow(ds: DataSet): VoiWindow {
  const center = numberAt(ds, 'x00281050');
  const width = numberAt(ds, 'x00281051');
  if (center === undefined || width === undefined || !Number.isFinite(center) || !Number.isFinite(width)) return { kind: 'min-max' };
  const fn = (stringAt(ds, 'x00281056') ?? 'LINEAR').trim().toUpperCase();
  if (fn === 'SIGMOID' && width > 0) return { kind: 'sigmoid', center, width };
  if (fn === 'LINEAR_EXACT' && width > 0) return { kind: 'linear-exact', center, width };
  // PS3.3 C.11.2.1.2.1: LINEAR needs a width of at least 1.
  return fn === 'LINEAR' && width >= 1 ? { kind: 'linear', center, width } : { kind: 'min-max' };
}

/** A DS value from the top level, else from the first frame's functional groups, else the shared ones. */
function numberAt(ds: DataSet, tag: string): number | undefined {
  const where = findAttribute(ds, tag);
  return where?.floatString(tag, 0);
}

function stringAt(ds: DataSet, tag: string): string | undefined {
  return findAttribute(ds, tag)?.string(tag, 0);
}

function findAttribute(ds: DataSet, tag: string): DataSet | undefined {
  if (ds.elements[tag]) return ds;
  const macro = MACROS[tag];
  if (!macro) return undefined;
  for (const groups of [PER_FRAME_GROUPS, SHARED_GROUPS]) {
    const item = ds.elements[groups]?.items?.[0]?.dataSet?.elements[macro]?.items?.[0]?.dataSet;
    if (item?.elements[tag]) return item;
  }
  return undefined;
}

const finiteOr = (value: number | undefined, fallback: number): number => (value !== undefined && Number.isFinite(value) ? value : fallback);

function unprocessable(problem: string): never {
  throw new VigilError('VIGIL_UNPROCESSABLE', `The DICOM image ${problem}`, { details: { reason: 'unsupported-pixel-module' } });
}
