import { bareDicomTransferSyntax, detectImageType } from '../../../src';
import { readCorpusFile } from './corpus';

const withPreamble = (preamble: number[]): Uint8Array => {
  const bytes = new Uint8Array(200);
  bytes.set(preamble);
  bytes.set([0x44, 0x49, 0x43, 0x4d], 128); // 'DICM'
  return bytes;
};

describe('detectImageType', () => {
  it('tells PNG, JPEG and DICOM apart by their bytes alone', () => {
    expect(detectImageType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(detectImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(detectImageType(withPreamble([]))).toBe('dicom');
  });

  it('reads DICM at offset 128 first, because a preamble may carry another format’s signature', () => {
    expect(detectImageType(withPreamble([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('dicom');
  });

  it('accepts a bare little-endian dataset that starts at group 0008, as the corpus file without meta is', () => {
    const bare = readCorpusFile('pydicom_no_preamble_no_meta_explicitLE.dcm');
    expect(detectImageType(bare)).toBe('dicom');
    expect(bareDicomTransferSyntax(bare)).toBe('1.2.840.10008.1.2.1');
    // The same elements in implicit VR: (0008,0005) CS 'ISO_IR 100', then (0008,0016) UI.
    const implicit = Buffer.from('08000500 0a000000 49534f5f495220313030 08001600 02000000 3100'.replace(/ /g, ''), 'hex');
    expect(bareDicomTransferSyntax(implicit)).toBe('1.2.840.10008.1.2');
  });

  it('refuses anything else with 415, naming formats people send by mistake', () => {
    expect(() => detectImageType(Buffer.from('II*\0tiff'))).toThrow(expect.objectContaining({ code: 'VIGIL_UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/TIFF/) }));
    expect(() => detectImageType(new Uint8Array([0x08, 0x00, 0xff, 0xff, 1, 2, 3, 4, 5]))).toThrow(expect.objectContaining({ status: 415 }));
    expect(() => detectImageType(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'VIGIL_UNSUPPORTED_MEDIA_TYPE' }));
  });
});
