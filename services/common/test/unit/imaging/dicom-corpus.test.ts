import fs from 'node:fs';
import { decodeImage, deidentifyDicom, type DecodedImage, type VigilErrorCode } from '../../../src';
import { DICOM_DIR } from '../../../../../tests/support/shared-data';
import { readCorpusFile, readManifest } from './corpus';

/**
 * One case per file of shared/data/dicom (manifest.csv). The files the manifest describes as
 * broken, or that hold no image, are refused with these codes; every other file decodes to the
 * manifest's Rows × Columns.
 */
const REFUSED: Record<string, { code: VigilErrorCode; message: RegExp }> = {
  'pydicom_MR_truncated_pixeldata.dcm': { code: 'VIGIL_VALIDATION', message: /truncated/ },
  'pydicom_meta_missing_transfer_syntax.dcm': { code: 'VIGIL_VALIDATION', message: /Transfer Syntax UID \(0002,0010\)/ },
  'pydicom_no_preamble_no_meta_explicitLE.dcm': { code: 'VIGIL_UNPROCESSABLE', message: /no Pixel Data.*RTPLAN/ },
  'pydicom_SR_no_pixeldata.dcm': { code: 'VIGIL_UNPROCESSABLE', message: /no Pixel Data.*SR/ },
  // The embedded (FFFE,E0DD) bytes overwrite the JPEG 2000 SIZ marker: the codestream claims a width of 3.7 billion.
  'pydicom_J2K_embedded_seq_delimiter.dcm': { code: 'VIGIL_VALIDATION', message: /codestream declares \d+×1024×1 but the DICOM header says 256×1024×1/ },
  // 12-bit JPEG Extended: only an 8-bit JPEG decoder is installed.
  'dicomparser_EnhancedCT_2frames_JPEGExt_fragmented_noBOT.dcm': {
    code: 'VIGIL_UNSUPPORTED_MEDIA_TYPE',
    message: /1\.2\.840\.10008\.1\.2\.4\.51 \(JPEG Extended \(Process 2 & 4\)\).*12-bit/,
  },
};

const manifest = readManifest();
const decodable = manifest.filter((row) => !(row.file in REFUSED));

const decode = (file: string): Promise<DecodedImage> => decodeImage(readCorpusFile(file));

describe('the DICOM corpus (shared/data/dicom)', () => {
  it('lists every file of the folder in its manifest, and only those', () => {
    const onDisk = fs.readdirSync(DICOM_DIR).filter((name) => name.endsWith('.dcm')).sort();
    expect(manifest.map((row) => row.file).sort()).toEqual(onDisk);
    expect(manifest).toHaveLength(24);
    for (const row of manifest.filter((r) => r.has_pixel_data === 'no')) expect(REFUSED).toHaveProperty([row.file]);
  });

  describe.each(decodable.map((row) => [row.file, row] as const))('%s', (file, row) => {
    it(`decodes to ${row.columns}×${row.rows} grey that is not constant, described as in the manifest`, async () => {
      const image = await decode(file);
      expect(image).toMatchObject({ format: 'dicom', width: Number(row.columns), height: Number(row.rows), sha256: row.sha256 });
      expect(image.gray).toHaveLength(image.width * image.height);
      const [low, high] = grayRange(image.gray);
      expect(high - low).toBeGreaterThan(32);
      expect(image.dicom).toEqual({
        transferSyntaxUid: row.transfer_syntax_uid,
        transferSyntaxName: expect.any(String),
        photometric: row.photometric,
        modality: row.modality,
        rows: Number(row.rows),
        columns: Number(row.columns),
        frames: Number(row.frames),
        bitsStored: Number(row.bits_stored),
      });
    });

    it('keeps its transfer syntax and its pixels through de-identification', async () => {
      const original = await decode(file);
      const copy = await decodeImage(deidentifyDicom(readCorpusFile(file), { uidSecret: 'corpus-secret-0123456789' }).bytes);
      expect(copy.dicom?.transferSyntaxUid).toBe(row.transfer_syntax_uid);
      expect(Buffer.from(copy.gray).equals(Buffer.from(original.gray))).toBe(true);
    });
  });

  describe.each(Object.entries(REFUSED))('%s', (file, expected) => {
    it(`is refused with ${expected.code}`, async () => {
      await expect(decode(file)).rejects.toMatchObject({ name: 'VigilError', code: expected.code, message: expect.stringMatching(expected.message) });
    });
  });

  it('decodes the same MR slice to the same pixels from all six of its encodings', async () => {
    const encodings = ['explicitLE', 'implicitLE', 'explicitBE', 'RLE', 'J2K_lossless', 'JPEGLS_lossless'];
    const [first, ...rest] = await Promise.all(encodings.map((e) => decode(`pydicom_MR_small_${e}.dcm`)));
    for (const image of rest) expect(Buffer.from(image.gray).equals(Buffer.from(first!.gray))).toBe(true);
  });

  it('shows both chest radiographs the right way round: MONOCHROME1 is inverted, MONOCHROME2 is not', async () => {
    // A chest radiograph displays the mediastinum (spine, heart) bright and the air-filled lungs dark;
    // an uninverted MONOCHROME1 image shows the opposite.
    for (const file of ['pydicomdata_RG1_CR_chest_MONO1_J2K_lossy.dcm', 'nhsx_NIH-CXR14_chest_DX_SC_implicitLE.dcm']) {
      const image = await decode(file);
      const mediastinum = regionMean(image, [0.46, 0.54], [0.3, 0.6]);
      for (const lung of [regionMean(image, [0.22, 0.32], [0.3, 0.6]), regionMean(image, [0.68, 0.78], [0.3, 0.6])]) {
        expect(mediastinum - lung).toBeGreaterThan(40);
      }
    }
  });

  it('gives RGB the same luminance whether JPEG Baseline or RLE carried it', async () => {
    const [jpeg, rle] = await Promise.all([decode('pydicom_SC_rgb_JPEGBaseline.dcm'), decode('pydicom_SC_rgb_RLE.dcm')]);
    let difference = 0;
    for (let i = 0; i < jpeg.gray.length; i++) difference += Math.abs(jpeg.gray[i]! - rle.gray[i]!);
    expect(difference / jpeg.gray.length).toBeLessThan(4); // JPEG Baseline is lossy
  });
});

function grayRange(gray: Uint8Array): [number, number] {
  let low = 255;
  let high = 0;
  for (let i = 0; i < gray.length; i++) {
    if (gray[i]! < low) low = gray[i]!;
    if (gray[i]! > high) high = gray[i]!;
  }
  return [low, high];
}

function regionMean(image: DecodedImage, [x0, x1]: number[], [y0, y1]: number[]): number {
  let sum = 0;
  let count = 0;
  for (let y = Math.floor(y0! * image.height); y < y1! * image.height; y++) {
    for (let x = Math.floor(x0! * image.width); x < x1! * image.width; x++, count++) sum += image.gray[y * image.width + x]!;
  }
  return sum / count;
}
