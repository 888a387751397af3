import { CHURN_FEATURES, readNumeric, validateChurnRow, type ChurnRow } from '@vigil/common';

const valid: ChurnRow = {
  customerID: '7590-VHVEG',
  gender: 'Female',
  SeniorCitizen: 0,
  Partner: 'Yes',
  Dependents: 'No',
  tenure: 1,
  PhoneService: 'No',
  MultipleLines: 'No phone service',
  InternetService: 'DSL',
  OnlineSecurity: 'No',
  OnlineBackup: 'Yes',
  DeviceProtection: 'No',
  TechSupport: 'No',
  StreamingTV: 'No',
  StreamingMovies: 'No',
  Contract: 'Month-to-month',
  PaperlessBilling: 'Yes',
  PaymentMethod: 'Electronic check',
  MonthlyCharges: 29.85,
  TotalCharges: 29.85,
};

describe('validateChurnRow', () => {
  it('lists the 19 model inputs: 4 numeric, 15 categorical', () => {
    expect(CHURN_FEATURES).toHaveLength(19);
    expect(CHURN_FEATURES.filter((f) => f.kind === 'numeric').map((f) => f.name)).toEqual([
      'SeniorCitizen',
      'tenure',
      'MonthlyCharges',
      'TotalCharges',
    ]);
  });

  it('accepts a valid row, CSV strings, a blank TotalCharges and an unseen category', () => {
    expect(validateChurnRow(valid)).toEqual([]);
    expect(validateChurnRow({ ...valid, tenure: '0', MonthlyCharges: ' 20.5 ', TotalCharges: ' ' })).toEqual([]);
    expect(validateChurnRow({ ...valid, TotalCharges: null })).toEqual([]);
    expect(validateChurnRow({ ...valid, PaymentMethod: 'Crypto' })).toEqual([]);
  });

  it('reports each problem by column', () => {
    const missingContract = { ...valid };
    delete missingContract.Contract;
    expect(validateChurnRow(missingContract)).toEqual(['Contract: missing']);
    expect(validateChurnRow({ ...valid, tenure: -1 })).toEqual(['tenure: must not be negative']);
    expect(validateChurnRow({ ...valid, tenure: 1.5 })).toEqual(['tenure: must be a whole number of months']);
    expect(validateChurnRow({ ...valid, MonthlyCharges: 'abc' })).toEqual(['MonthlyCharges: must be a finite number']);
    expect(validateChurnRow({ ...valid, MonthlyCharges: null })).toEqual(['MonthlyCharges: must not be empty']);
    expect(validateChurnRow({ ...valid, SeniorCitizen: 2 })).toEqual(['SeniorCitizen: must be 0 or 1']);
    expect(validateChurnRow({ ...valid, gender: 1 })).toEqual(['gender: must be a string']);
    expect(validateChurnRow({ ...valid, Partner: '' })).toEqual(['Partner: must not be empty']);
    expect(validateChurnRow({ ...valid, TotalCharges: -5 })).toEqual(['TotalCharges: must not be negative']);
  });

  it('rejects what is not an object', () => {
    expect(validateChurnRow(null)).toEqual(['row must be an object']);
    expect(validateChurnRow([valid])).toEqual(['row must be an object']);
  });

  it('reads numbers leniently and blanks as missing', () => {
    expect(readNumeric(' 12.5 ')).toBe(12.5);
    expect(readNumeric('')).toBeNaN();
    expect(readNumeric(null)).toBeNaN();
    expect(readNumeric(Infinity)).toBeNaN();
  });
});
