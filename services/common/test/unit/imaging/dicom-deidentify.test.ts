import type { DcmjsDataset } from 'dcmjs';
import { decodeImage, deidentifyDicom, remapUid } from '../../../src';
import { readCorpusFile } from './corpus';
import { DX_FOR_PRESENTATION, imageModule, makeDicom, ramp, readDicom } from './make-dicom';

const SECRET = 'test-secret-for-uid-mapping-0001';
const STUDY = '1.2.826.0.1.3680043.2.1125.1.7001';
const SERIES = '1.2.826.0.1.3680043.2.1125.1.7002';
const SOP_A = '1.2.826.0.1.3680043.2.1125.1.7003';
const SOP_B = '1.2.826.0.1.3680043.2.1125.1.7004';

/** What a hospital's DX image carries about the patient, staff and site, at the top level and inside sequences. */
const PHI = [
  'Doe^Jane', 'MRN-12345', '19700101', '1 Main Street', 'OLD-999', 'St Elsewhere Hospital', 'XRAY-ROOM-3', 'House^Gregory',
  'Tech^Tom', 'ACC-777', '20240102', 'SN-42', 'RP-0042', 'Nested Clinic', 'NESTED-STATION', 'Nested^Operator',
  'ACME PRIVATE 1.0', 'PRIVATE-TOP-SECRET', 'PRIVATE-NESTED-SECRET', STUDY, SERIES, SOP_A, SOP_B,
];

/** Image B references image A (Referenced Image Sequence), as a processed image references its source. */
function chestXray(sopInstanceUid: string, referencedSop?: string): Uint8Array {
  return makeDicom(
    {
      SOPClassUID: DX_FOR_PRESENTATION,
      SOPInstanceUID: sopInstanceUid,
      StudyInstanceUID: STUDY,
      SeriesInstanceUID: SERIES,
      Modality: 'DX',
      BodyPartExamined: 'CHEST',
      ViewPosition: 'PA',
      PatientName: 'Doe^Jane',
      PatientID: 'MRN-12345',
      PatientBirthDate: '19700101',
      PatientSex: 'F',
      PatientAge: '054Y',
      PatientAddress: '1 Main Street',
      OtherPatientIDs: 'OLD-999',
      InstitutionName: 'St Elsewhere Hospital',
      StationName: 'XRAY-ROOM-3',
      ReferringPhysicianName: 'House^Gregory',
      OperatorsName: 'Tech^Tom',
      AccessionNumber: 'ACC-777',
      StudyDate: '20240102',
      AcquisitionDate: '20240102',
      DeviceSerialNumber: 'SN-42',
      ReferencedImageSequence: referencedSop ? [{ ReferencedSOPClassUID: DX_FOR_PRESENTATION, ReferencedSOPInstanceUID: referencedSop }] : undefined,
      RequestAttributesSequence: [{ RequestedProcedureID: 'RP-0042' }],
      ContributingEquipmentSequence: [
        { Manufacturer: 'ACME', InstitutionName: 'Nested Clinic', StationName: 'NESTED-STATION', OperatorsName: 'Nested^Operator' },
      ],
      ...imageModule(16, 8, ramp(16, 8)),
    },
    { '00090010': { vr: 'LO', Value: ['ACME PRIVATE 1.0'] }, '00091001': { vr: 'LO', Value: ['PRIVATE-TOP-SECRET'] } },
    undefined,
    (dict) => {
      const equipment = dict['0018A001']!.Value![0] as DcmjsDataset;
      equipment['00290010'] = { vr: 'LO', Value: ['ACME PRIVATE 1.0'] };
      equipment['00291001'] = { vr: 'LO', Value: ['PRIVATE-NESTED-SECRET'] };
    },
  );
}

const blank = (value: unknown[] | undefined): boolean => (value ?? []).every((v) => v === '');

const tagsOf = (dataset: DcmjsDataset): string[] =>
  Object.entries(dataset).flatMap(([tag, element]) => [tag, ...(element.vr === 'SQ' ? (element.Value ?? []).flatMap((item) => tagsOf(item as DcmjsDataset)) : [])]);

describe('deidentifyDicom (PS3.15 Basic Application Level Confidentiality Profile)', () => {
  const input = chestXray(SOP_B, SOP_A);
  const result = deidentifyDicom(input, { uidSecret: SECRET });
  const output = readDicom(result.bytes);

  it('leaves none of the patient, staff, site or UID values anywhere in the bytes, sequences included', () => {
    const text = Buffer.from(input).toString('latin1');
    for (const value of PHI) expect(text).toContain(value); // the fixture does carry them
    const written = Buffer.from(result.bytes).toString('latin1');
    for (const value of PHI) expect(written).not.toContain(value);
    expect(result.removedTags).toBeGreaterThanOrEqual(20);
  });

  it('removes every private attribute, at the top level and inside sequences', () => {
    const tags = tagsOf(output.dict);
    expect(tags.filter((tag) => parseInt(tag.slice(0, 4), 16) % 2 === 1)).toEqual([]);
    expect(tags).toContain('0018A001'); // the sequence that held one is kept, cleaned
  });

  it('blanks the Type 2 identity attributes, removes the others, and keeps what the model needs', () => {
    const dict = output.dict;
    for (const blanked of ['00100010', '00100020', '00100030', '00080050', '00080020']) {
      expect(dict[blanked]).toBeDefined(); // Z: present, zero length (dcmjs reads that back as [] or [''])
      expect(blank(dict[blanked]!.Value)).toBe(true);
    }
    for (const removed of ['00101010', '00101040', '00101000', '00080080', '00081010', '00081070', '00181000', '00400275', '00080022']) {
      expect(dict[removed]).toBeUndefined();
    }
    expect(dict['00080060']?.Value).toEqual(['DX']);
    expect(dict['00180015']?.Value).toEqual(['CHEST']);
    expect(dict['00185101']?.Value).toEqual(['PA']);
    const equipment = dict['0018A001']!.Value![0] as DcmjsDataset;
    expect(equipment['00080070']?.Value).toEqual(['ACME']);
    expect(equipment['00080080']).toBeUndefined();
    expect(dict['00120062']?.Value).toEqual(['YES']);
    expect(dict['00120063']?.Value?.[0]).toMatch(/Basic Application Level Confidentiality Profile/);
  });

  it('re-maps UIDs consistently: one study keeps one new study UID, and references still point at the right image', () => {
    const a = deidentifyDicom(chestXray(SOP_A), { uidSecret: SECRET });
    expect(result.studyInstanceUid).toBe(a.studyInstanceUid);
    expect(result.seriesInstanceUid).toBe(a.seriesInstanceUid);
    expect(result.sopInstanceUid).not.toBe(a.sopInstanceUid);
    expect(result.studyInstanceUid).toBe(remapUid(STUDY, SECRET));
    const reference = output.dict['00081140']!.Value![0] as DcmjsDataset;
    expect(reference['00081155']?.Value).toEqual([a.sopInstanceUid]);
    expect(output.meta['00020003']?.Value).toEqual([result.sopInstanceUid]); // Media Storage SOP Instance UID
    for (const uid of [result.studyInstanceUid, result.seriesInstanceUid, result.sopInstanceUid]) {
      expect(uid).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
      expect(uid.length).toBeLessThanOrEqual(64);
    }
  });

  it('gives other UIDs under another secret, so the mapping cannot be recomputed without it', () => {
    const other = deidentifyDicom(input, { uidSecret: 'another-secret-entirely-0002' });
    expect(other.studyInstanceUid).not.toBe(result.studyInstanceUid);
    expect(remapUid(STUDY, SECRET)).toBe(remapUid(`${STUDY}\0`, SECRET)); // UI padding is not part of the UID
  });

  it('keeps the pixel data and the transfer syntax: the output decodes to the same pixels', async () => {
    const [before, after] = await Promise.all([decodeImage(input), decodeImage(result.bytes)]);
    expect(after.dicom?.transferSyntaxUid).toBe(before.dicom?.transferSyntaxUid);
    expect(Buffer.from(after.gray).equals(Buffer.from(before.gray))).toBe(true);
  });

  it('keeps sex and age only with the Retain Patient Characteristics Option', () => {
    const retained = readDicom(deidentifyDicom(input, { uidSecret: SECRET, retainPatientCharacteristics: true }).bytes).dict;
    expect(retained['00100040']?.Value).toEqual(['F']);
    expect(retained['00101010']?.Value).toEqual(['054Y']);
    expect(blank(output.dict['00100040']?.Value)).toBe(true);
  });

  it('writes a dataset received without file meta as Part 10, in the syntax it came in', () => {
    const bare = readCorpusFile('pydicom_no_preamble_no_meta_explicitLE.dcm');
    const out = deidentifyDicom(bare, { uidSecret: SECRET });
    expect(Buffer.from(out.bytes.subarray(128, 132)).toString('latin1')).toBe('DICM');
    expect(readDicom(out.bytes).meta['00020010']?.Value).toEqual(['1.2.840.10008.1.2.1']);
  });

  it('refuses a short secret, a truncated file and what is not DICOM', () => {
    expect(() => deidentifyDicom(input, { uidSecret: 'short' })).toThrow(expect.objectContaining({ code: 'VIGIL_CONFIG' }));
    expect(() => deidentifyDicom(readCorpusFile('pydicom_MR_truncated_pixeldata.dcm'), { uidSecret: SECRET })).toThrow(
      expect.objectContaining({ code: 'VIGIL_VALIDATION' }),
    );
    expect(() => deidentifyDicom(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), { uidSecret: SECRET })).toThrow(
      expect.objectContaining({ code: 'VIGIL_UNSUPPORTED_MEDIA_TYPE' }),
    );
  });
});
