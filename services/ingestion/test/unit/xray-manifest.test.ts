import type { ScannedFile } from '../../src/domain/xray-archive-scan';
import { parseManifest } from '../../src/domain/xray-manifest';
import { canonicalPath } from '../../src/domain/xray-paths';
import { validateXrayManifest } from '../../src/domain/validate-xray-manifest';

const image = (sha: string): ScannedFile => ({ kind: 'image', sha256: sha.repeat(64).slice(0, 64), mediaType: 'image/jpeg', width: 224, height: 224 });
const files = new Map<string, ScannedFile>([
  ['NORMAL/a.jpeg', image('a')],
  ['PNEUMONIA/b.jpeg', image('b')],
]);
const validate = (text: string) => validateXrayManifest(parseManifest(text, ''), files);
const errorsOf = (text: string) => {
  try {
    validate(text);
  } catch (err) {
    return (err as { details: { errors: unknown[] } }).details.errors;
  }
  throw new Error('expected a rejection');
};

describe('canonicalPath', () => {
  test.each([
    ['NORMAL/a.jpeg', 'NORMAL/a.jpeg'],
    ['./NORMAL//a.jpeg', 'NORMAL/a.jpeg'],
    ['NORMAL\\a.jpeg', 'NORMAL/a.jpeg'],
    ['x/./y/', 'x/y'],
    ['./', ''],
  ])('%j is %j', (raw, path) => expect(canonicalPath(raw)).toEqual({ ok: true, path }));

  test.each([
    ['/etc/passwd', 'is an absolute path'],
    ['\\\\server\\share\\a.png', 'is an absolute path'],
    ['C:\\x.png', 'is an absolute path'],
    ['c:x.png', 'is an absolute path'],
    ['../a.png', 'climbs out of its folder with ".."'],
    ['a/../../b.png', 'climbs out of its folder with ".."'],
    ['a\\..\\..\\b.png', 'climbs out of its folder with ".."'],
    ['a.png\u0000.txt', 'contains a NUL character'],
  ])('%j is refused: %s', (raw, reason) => expect(canonicalPath(raw)).toEqual({ ok: false, reason }));

  test('a path of more than 1024 characters is refused', () => {
    expect(canonicalPath('a'.repeat(1025))).toEqual({ ok: false, reason: 'is longer than 1024 characters' });
  });
});

describe('manifest.csv', () => {
  test('columns in any order and case, extra ones ignored, a BOM and CRLF tolerated, labels in any case', () => {
    const images = validate('\uFEFFPatient_ID,extra,Path,LABEL,subtype\r\np1,x,NORMAL/a.jpeg,normal,Normal\r\n\r\np2,y,PNEUMONIA/b.jpeg,Pneumonia,VIRAL\r\n');
    expect(images.map((i) => [i.path, i.label, i.subtype, i.patientId])).toEqual([
      ['NORMAL/a.jpeg', 'NORMAL', 'normal', 'p1'],
      ['PNEUMONIA/b.jpeg', 'PNEUMONIA', 'viral', 'p2'],
    ]);
  });

  test('each bad row is reported with its number and column, all of them at once', () => {
    expect(
      errorsOf(
        [
          'path,label,subtype,patient_id',
          'NORMAL/a.jpeg,NORMAL,bacterial,p1',
          'PNEUMONIA/b.jpeg,PNEUMONIA,normal,',
          ',TB,x,p3',
          'NORMAL/a.jpeg,NORMAL,normal,p4',
          'NORMAL/a.jpeg',
        ].join('\n'),
      ),
    ).toEqual([
      { row: 1, column: 'subtype', message: '"bacterial" does not go with label NORMAL: expected normal' },
      { row: 2, column: 'subtype', message: '"normal" does not go with label PNEUMONIA: expected bacterial or viral' },
      { row: 2, column: 'patient_id', message: 'must not be blank' },
      { row: 3, column: 'path', message: 'must not be blank' },
      { row: 3, column: 'label', message: 'must be one of NORMAL, PNEUMONIA (any case)' },
      { row: 3, column: 'subtype', message: 'must be one of normal, bacterial, viral (any case)' },
      { row: 4, column: 'path', message: 'duplicates row 1 ("NORMAL/a.jpeg")' },
      { row: 5, message: 'has 1 fields; the header has 4' },
    ]);
  });

  test.each([
    ['', /manifest.csv is empty/],
    ['path,label,subtype\nNORMAL/a.jpeg,NORMAL,normal\n', /lacks the column\(s\) patient_id/],
    ['path,label,subtype,patient_id\n', /has a header but no rows/],
    ['path,label,subtype,patient_id\n"unclosed,NORMAL,normal,p\n', /is not a readable CSV file/],
    ['path,label\u0000', /is not UTF-8 text/],
  ])('an unusable manifest is 422 as a whole: %j', (text, message) => {
    expect(() => validate(text)).toThrow(message);
  });
});
