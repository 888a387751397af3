import path from 'node:path';

/**
 * The project's shared datasets live beside the repository (../shared/data), on developer machines
 * and in CI alike. VIGIL_SHARED_DATA points elsewhere. Tests that need them fail when they are
 * missing rather than skip: a skipped test would hide exactly what it is there to check.
 */
export const SHARED_DATA = process.env.VIGIL_SHARED_DATA || path.resolve(__dirname, '../../../shared/data');
export const TELCO_CSV = path.join(SHARED_DATA, 'telco-churn/telco-churn-train.csv');
/** Kermany pediatric chest X-rays (train split), 224x224 JPEG, NORMAL/ and PNEUMONIA/ plus manifest.csv. */
export const XRAY_DIR = path.join(SHARED_DATA, 'xray-train');
/** DICOM Part 10 test files (pydicom, pydicom-data, dicomParser, NIH ChestX-ray14) with manifest.csv: one row per file. */
export const DICOM_DIR = path.join(SHARED_DATA, 'dicom');
