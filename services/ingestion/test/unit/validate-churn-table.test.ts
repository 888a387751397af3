import { decodeCsv } from '../../src/domain/churn-csv';
import { churnTableDigest } from '../../src/domain/churn-digest';
import { validateCsvTable, validateJsonRows } from '../../src/domain/validate-churn-table';
import { telcoCsv, telcoRow } from '../support/churn-tables';

const csv = (text: string) => validateCsvTable(decodeCsv(text));

/** The problem details of the VigilError that `fn` throws. */
function detailsOf(fn: () => unknown): { errors: unknown[] } & Record<string, unknown> {
  try {
    fn();
  } catch (err) {
    return (err as { details: { errors: unknown[] } }).details;
  }
  throw new Error('expected a throw');
}

describe('churn table validation', () => {
  test('turns a CSV row into typed values: numbers as numbers, a blank TotalCharges as null', () => {
    const [record] = csv(telcoCsv([telcoRow('0001-A', { tenure: '0', TotalCharges: ' ', SeniorCitizen: '1' })]));
    expect(record).toMatchObject({ customerID: '0001-A', SeniorCitizen: 1, tenure: 0, MonthlyCharges: 29.85, TotalCharges: null, Churn: 'No' });
  });

  test('accepts the header in any order, LF or CRLF, with a UTF-8 BOM and a trailing blank line', () => {
    const columns = ['Churn', ...Object.keys(telcoRow('x')).filter((c) => c !== 'Churn')];
    const text = `\uFEFF${telcoCsv([telcoRow('0001-A')], { eol: '\n', columns })}\n`;
    expect(csv(text)).toEqual(csv(telcoCsv([telcoRow('0001-A')])));
  });

  test('reports every bad cell with its 1-based data row and column, and refuses the whole table', () => {
    const text = telcoCsv([
      telcoRow('A', { tenure: 'abc' }),
      telcoRow('B', { SeniorCitizen: '2', MonthlyCharges: '-1' }),
      telcoRow('C'),
      telcoRow('A', { Churn: '' }),
    ]);
    expect(() => csv(text)).toThrow(expect.objectContaining({
      code: 'VIGIL_UNPROCESSABLE',
      message: expect.stringMatching(/^3 of 4 rows are invalid; nothing was imported\. Rows are numbered from 1/),
      details: expect.objectContaining({
        errorCount: 5,
        truncated: false,
        errors: [
          { row: 1, column: 'tenure', message: 'must be a whole number ≥ 0' },
          { row: 2, column: 'SeniorCitizen', message: 'must be 0 or 1' },
          { row: 2, column: 'MonthlyCharges', message: 'must be a number ≥ 0' },
          { row: 4, column: 'Churn', message: 'must be one of "Yes", "No"' },
          { row: 4, column: 'customerID', message: 'duplicates row 1 ("A")' },
        ],
      }),
    }));
  });

  test('keeps the first 100 errors and counts the rest', () => {
    const rows = Array.from({ length: 150 }, (_, i) => telcoRow(`C-${i}`, { Contract: 'Weekly' }));
    const details = detailsOf(() => csv(telcoCsv(rows)));
    expect(details).toMatchObject({ errorCount: 150, invalidRowCount: 150, truncated: true });
    expect(details.errors).toHaveLength(100);
  });

  test('names missing, unexpected and repeated header columns', () => {
    const columns = [...Object.keys(telcoRow('x')).filter((c) => c !== 'Churn'), 'Region', 'gender'];
    expect(() => csv(telcoCsv([telcoRow('A')], { columns }))).toThrow(expect.objectContaining({
      code: 'VIGIL_UNPROCESSABLE',
      details: { missingColumns: ['Churn'], unexpectedColumns: ['Region'], duplicateColumns: ['gender'] },
    }));
  });

  test('refuses an empty file, a header without rows, and a row with the wrong number of fields', () => {
    expect(() => csv('')).toThrow(/empty/);
    expect(() => csv('\r\n \r\n')).toThrow(/empty/);
    expect(() => csv(telcoCsv([]))).toThrow(/no data rows/);
    const short = telcoCsv([telcoRow('A')]) + 'B,Male,0\r\n';
    expect(() => csv(short)).toThrow(expect.objectContaining({ details: expect.objectContaining({ errors: [{ row: 2, message: 'has 3 fields; the header has 21' }] }) }));
  });

  test('refuses bytes that are not UTF-8 CSV text as malformed (400), before looking at the header', () => {
    expect(() => csv('\u0000\u0001PNG')).toThrow(expect.objectContaining({ code: 'VIGIL_VALIDATION' }));
    expect(() => csv(Buffer.from([0x1f, 0x8b, 0x08, 0xff, 0xfe]).toString('utf8'))).toThrow(/not UTF-8/);
    expect(() => csv('customerID,"gender\r\nA,Male')).toThrow(/not a readable CSV file: Quote Not Closed/);
  });

  test('JSON rows take numbers or numeric strings, and name keys that are not Telco columns', () => {
    const asStrings = validateJsonRows([telcoRow('A')]);
    const asNumbers = validateJsonRows([{ ...telcoRow('A'), SeniorCitizen: 0, tenure: 12, MonthlyCharges: 29.85, TotalCharges: 358.2 }]);
    expect(asNumbers).toEqual(asStrings);
    expect(() => validateJsonRows([{ ...telcoRow('A'), Region: 'EU' }, 'x'])).toThrow(expect.objectContaining({
      details: expect.objectContaining({
        errors: [
          { row: 1, column: 'Region', message: 'is not a Telco column' },
          { row: 2, message: 'must be an object keyed by Telco column name' },
        ],
      }),
    }));
    expect(() => validateJsonRows([{ ...telcoRow('A'), tenure: true, TotalCharges: null }])).toThrow(/1 of 1 rows are invalid/);
  });
});

describe('churn table digest', () => {
  test('is the same for CRLF and LF CSV, padded cells, "29.850" and JSON numbers', () => {
    const base = churnTableDigest(csv(telcoCsv([telcoRow('A'), telcoRow('B', { TotalCharges: ' ' })])));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(churnTableDigest(csv(telcoCsv([telcoRow('A'), telcoRow('B', { TotalCharges: '' })], { eol: '\n' })))).toBe(base);
    expect(churnTableDigest(csv(telcoCsv([telcoRow('A', { MonthlyCharges: '29.850', gender: ' Female ' }), telcoRow('B', { TotalCharges: '' })])))).toBe(base);
    const json = validateJsonRows([{ ...telcoRow('A'), MonthlyCharges: 29.85 }, { ...telcoRow('B'), TotalCharges: null }]);
    expect(churnTableDigest(json)).toBe(base);
  });

  test('changes with any value and with row order', () => {
    const base = churnTableDigest(csv(telcoCsv([telcoRow('A'), telcoRow('B')])));
    expect(churnTableDigest(csv(telcoCsv([telcoRow('B'), telcoRow('A')])))).not.toBe(base);
    expect(churnTableDigest(csv(telcoCsv([telcoRow('A'), telcoRow('B', { Churn: 'Yes' })])))).not.toBe(base);
  });
});
