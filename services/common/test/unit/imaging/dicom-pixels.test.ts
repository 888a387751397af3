import { data } from 'dcmjs';
import { decodeImage, type ImageLimits } from '../../../src';
import { writePart10 } from '../../../src/imaging/dicom-write';
import { imageModule, makeDicom, ramp, readDicom } from './make-dicom';

const LIMITS: ImageLimits = { maxBytes: 1_000_000, maxPixels: 1_000_000 };
const gray = async (fields: Record<string, unknown>): Promise<number[]> => [...(await decodeImage(makeDicom(fields), LIMITS)).gray];
const sixteenBit = (values: number[]) => imageModule(values.length, 1, Uint16Array.from(values, (v) => v & 0xffff));

describe('DICOM pixels to 8-bit grey', () => {
  it('inverts MONOCHROME1, in which the lowest value is white', async () => {
    const pixels = ramp(16, 8);
    const mono2 = await gray(imageModule(16, 8, pixels));
    const mono1 = await gray({ ...imageModule(16, 8, pixels), PhotometricInterpretation: 'MONOCHROME1' });
    expect(mono1).toEqual(mono2.map((v) => 255 - v));
  });

  it('applies the first Window Center/Width with the LINEAR function of PS3.3 C.11.2.1.2', async () => {
    const values = [0, 1000, 1001, 2000, 2999, 3000, 4000];
    const out = await gray({ ...sixteenBit(values), WindowCenter: [2000, 500], WindowWidth: [2000, 100] });
    // c - 0.5 - (w - 1) / 2 = 1000 and c - 0.5 + (w - 1) / 2 = 2999 bound the ramp.
    expect(out).toEqual([0, 0, 0, 128, 255, 255, 255]);
  });

  it('rescales stored values before windowing, so a CT window is given in Hounsfield units', async () => {
    // -1024, -60, 0, 60 and 1024 HU through a 101 HU window at 0: LINEAR's -0.5 puts 0 HU at 129, not 128.
    const out = await gray({ ...sixteenBit([0, 964, 1024, 1084, 2048]), RescaleSlope: 1, RescaleIntercept: -1024, WindowCenter: 0, WindowWidth: 101 });
    expect(out).toEqual([0, 0, 129, 255, 255]);
  });

  it('reads Pixel Representation 1 as two’s complement within Bits Stored and ignores the bits above it', async () => {
    // 12 bits stored, signed: 0xFFF is -1 and 0x800 is -2048; the top nibble carries unrelated bits (old overlays).
    const stored = [0x800, 0xfff, 0x000, 0x7ff];
    const clean = await gray({ ...sixteenBit(stored), BitsStored: 12, HighBit: 11, PixelRepresentation: 1 });
    const dirty = await gray({ ...sixteenBit(stored.map((v) => v | 0xa000)), BitsStored: 12, HighBit: 11, PixelRepresentation: 1 });
    expect(clean).toEqual([0, 127, 128, 255]); // -2048, -1, 0, 2047 stretched over min/max
    expect(dirty).toEqual(clean);
  });

  it('stretches min/max when there is no window, leaving the Pixel Padding Value out', async () => {
    const out = await gray({ ...sixteenBit([0, 100, 200, 300]), PixelPaddingValue: 0, _vrMap: { PixelData: 'OW', PixelPaddingValue: 'US' } });
    expect(out).toEqual([0, 0, 128, 255]);
  });

  it('refuses pixel data shorter than one frame as invalid (400)', async () => {
    const dicom = makeDicom({ ...imageModule(4, 4, ramp(4, 4)), Rows: 8 });
    await expect(decodeImage(dicom, LIMITS)).rejects.toMatchObject({ code: 'VIGIL_VALIDATION', message: expect.stringMatching(/holds 16 bytes.*needs 32/) });
  });

  it('refuses photometric interpretations it cannot map to grey as unprocessable (422)', async () => {
    const dicom = makeDicom({ ...imageModule(4, 4, ramp(4, 4)), PhotometricInterpretation: 'PALETTE COLOR' });
    await expect(decodeImage(dicom, LIMITS)).rejects.toMatchObject({ code: 'VIGIL_UNPROCESSABLE', status: 422 });
  });

  it('stops inflating a Deflated dataset at what the limits allow (a deflate bomb)', async () => {
    const zeros = new Uint8Array(4000 * 4000);
    const dicom = readDicom(makeDicom(imageModule(4000, 4000, zeros)));
    dicom.meta['00020010'] = { vr: 'UI', Value: ['1.2.840.10008.1.2.1.99'] };
    const deflated = writePart10(Object.assign(new data.DicomDict(dicom.meta), { dict: dicom.dict }));
    expect(deflated.length).toBeLessThan(100_000); // 16 MB of zeros
    await expect(decodeImage(deflated, LIMITS)).rejects.toMatchObject({ code: 'VIGIL_PAYLOAD_TOO_LARGE', message: expect.stringMatching(/inflates past/) });
  });

  it('decodes a dataset stored without preamble and file meta', async () => {
    // A real dataset starts with group 0008 (SOP Class UID is Type 1), which is what detection looks for.
    const part10 = makeDicom({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.7', SOPInstanceUID: '1.2.3', ...imageModule(16, 8, ramp(16, 8)) });
    const metaLength = new DataView(part10.buffer, part10.byteOffset).getUint32(140, true); // (0002,0000) value
    const bare = part10.subarray(144 + metaLength);
    const image = await decodeImage(bare, LIMITS);
    expect(image.dicom?.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
    expect(image.gray).toEqual((await decodeImage(part10, LIMITS)).gray);
  });
});
