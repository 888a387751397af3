import { VigilError } from '@vigil/common';
import { acceptStudy, type AcceptStudyDeps } from '../../src/domain/accept-study';
import { storeInstances } from '../../src/domain/store-instances';
import type { StudyImageCodec, XrayStudy } from '../../src/domain/study-ports';

/** A codec that reads the first byte: D = DICOM, P = PNG, anything else is refused. */
function fakeDeps(): AcceptStudyDeps & { puts: Buffer[]; saved: XrayStudy[] } {
  const puts: Buffer[] = [];
  const saved: XrayStudy[] = [];
  const codec: StudyImageCodec = {
    async validate(bytes) {
      if (bytes[0] === 0x44) return { format: 'dicom', sha256: 'received-dicom' };
      if (bytes[0] === 0x50) return { format: 'png', sha256: 'received-png' };
      throw new VigilError('VIGIL_VALIDATION', 'corrupt');
    },
    deidentify: (bytes) => ({ bytes: Buffer.concat([Buffer.from('deid:'), bytes]), studyUid: '2.25.1' }),
    identify: (bytes) => {
      if (bytes[0] !== 0x44) throw new VigilError('VIGIL_UNSUPPORTED_MEDIA_TYPE', 'not DICOM');
      return { sopClassUid: '1.2.3', sopInstanceUid: `1.2.3.${bytes.length}`, studyInstanceUid: '9.9' };
    },
  };
  return {
    puts, saved, codec,
    blobs: { put: async (bytes) => (puts.push(Buffer.from(bytes)), { sha256: `stored-${puts.length}`, created: true }) },
    store: { save: async (study) => void saved.push(study), find: async () => null },
    clock: { now: () => new Date('2026-01-01T00:00:00Z') },
    ids: { newId: () => `study-${saved.length + 1}` },
  };
}

describe('acceptStudy: check, de-identify, store, record', () => {
  test('a DICOM is de-identified before any byte is stored; the row keeps both hashes and the re-mapped UID', async () => {
    const deps = fakeDeps();
    const study = await acceptStudy({ bytes: Buffer.from('DICOM'), source: 'upload', clientName: 'pacs', accessionNumber: 'A1' }, deps);
    expect(deps.puts.map(String)).toEqual(['deid:DICOM']);
    expect(study).toEqual({
      id: 'study-1', receivedSha256: 'received-dicom', storedSha256: 'stored-1', mediaType: 'application/dicom', studyUid: '2.25.1',
      accessionNumber: 'A1', patientRef: null, source: 'upload', clientName: 'pacs', createdAt: new Date('2026-01-01T00:00:00Z'),
    });
    expect(deps.saved).toEqual([study]);
  });

  test('a PNG is stored as received; a refused image stores nothing', async () => {
    const deps = fakeDeps();
    expect(await acceptStudy({ bytes: Buffer.from('PNG'), source: 'upload', clientName: 'pacs' }, deps)).toMatchObject({ mediaType: 'image/png', studyUid: null });
    await expect(acceptStudy({ bytes: Buffer.from('xx'), source: 'upload', clientName: 'pacs' }, deps)).rejects.toMatchObject({ code: 'VIGIL_VALIDATION' });
    expect(deps.puts.map(String)).toEqual(['PNG']);
    expect(deps.saved).toHaveLength(1);
  });
});

describe('storeInstances: one outcome per STOW-RS part, a bad part never fails the others', () => {
  test('stored instances get Warning Reason 0xB000; refusals their Failure Reason; PNG bytes are not a DICOM instance', async () => {
    const deps = fakeDeps();
    const outcomes = await storeInstances(
      [
        { bytes: Buffer.from('DICOM'), mediaType: 'application/dicom' },
        { bytes: Buffer.from('PNG'), mediaType: null },
        { bytes: Buffer.from('DICOM!'), mediaType: 'image/png' },
      ],
      { clientName: 'orthanc' },
      deps,
    );
    expect(outcomes.map((o) => (o.stored ? ['stored', o.warningReason, o.sopInstanceUid] : ['failed', o.failureReason, o.sopInstanceUid]))).toEqual([
      ['stored', 0xb000, '1.2.3.5'],
      ['failed', 0xc000, undefined],
      ['failed', 0xc000, undefined],
    ]);
    expect(deps.saved.map((s) => s.source)).toEqual(['stow-rs']);
  });

  test('an instance of another study than the request names fails with 0xA900; an outage is out of resources and can be retried', async () => {
    const deps = fakeDeps();
    deps.store.save = async () => {
      throw new VigilError('VIGIL_UNAVAILABLE', 'Database unavailable');
    };
    const [other, down] = await storeInstances(
      [{ bytes: Buffer.from('D-other'), mediaType: null }, { bytes: Buffer.from('DICOM'), mediaType: null }],
      { clientName: 'orthanc', studyInstanceUid: '9.9' },
      { ...deps, codec: { ...deps.codec, identify: (b) => ({ studyInstanceUid: b.length === 7 ? '1.1' : '9.9' }) } },
    );
    expect(other).toMatchObject({ stored: false, failureReason: 0xa900 });
    expect(down).toMatchObject({ stored: false, failureReason: 0xa700, error: { canRetry: true } });
  });
});
