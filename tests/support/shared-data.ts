import path from 'node:path';

/**
 * The project's shared datasets live beside the repository (../shared/data), on developer machines
 * and in CI alike. VIGIL_SHARED_DATA points elsewhere. Tests that need them fail when they are
 * missing rather than skip: a skipped test would hide exactly what it is there to check.
 */
export const SHARED_DATA = process.env.VIGIL_SHARED_DATA || path.resolve(__dirname, '../../../shared/data');
export const TELCO_CSV = path.join(SHARED_DATA, 'telco-churn/telco-churn-train.csv');
