import { isVigilError, VigilError } from '@vigil/common';
import type { ArchiveFormat } from './archive-format';

const MiB = 1024 * 1024;
const size = (bytes: number) => (bytes >= MiB ? `${+(bytes / MiB).toFixed(1)} MiB` : `${+(bytes / 1024).toFixed(1)} KiB`);

export const tooLarge = (maxBytes: number): VigilError =>
  new VigilError('VIGIL_PAYLOAD_TOO_LARGE', `The archive is larger than ${size(maxBytes)} (XRAY_MAX_ARCHIVE_BYTES)`);

/** A parser's complaint about the bytes (bad header, truncated data) is the client's: 400. */
export function unreadable(format: ArchiveFormat, err: unknown): VigilError {
  if (isVigilError(err)) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new VigilError('VIGIL_VALIDATION', `The body is not a readable ${format} archive: ${reason}`, { cause: err });
}
