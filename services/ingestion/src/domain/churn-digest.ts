import { createHash } from 'node:crypto';
import { CHURN_COLUMNS, type ChurnRecord } from './churn-table';

/**
 * SHA-256 (hex) of a validated churn table in canonical form, the identity of a dataset: the same
 * rows give the same hash whether they arrived as CRLF or LF CSV, with or without padding
 * spaces, with "29.850" or 29.85, or as JSON. Row order is part of the content (row numbers are).
 *
 * Canonical form, versioned so that a future change cannot collide with today's hashes:
 *   "vigil.churn.v1\n" + header + "\n" + one JSON array per row (values in CHURN_COLUMNS order) + "\n"
 * JSON arrays rather than CSV lines so no quoting rule is needed: JSON.stringify is deterministic
 * for strings, finite numbers and null.
 */
export function churnTableDigest(records: readonly ChurnRecord[]): string {
  const hash = createHash('sha256');
  hash.update(`vigil.churn.v1\n${CHURN_COLUMNS.join(',')}\n`);
  for (const record of records) {
    hash.update(`${JSON.stringify(CHURN_COLUMNS.map((column) => record[column]))}\n`);
  }
  return hash.digest('hex');
}
