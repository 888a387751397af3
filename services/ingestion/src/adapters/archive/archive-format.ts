/** The archive formats the X-ray upload reads. */
export type ArchiveFormat = 'tar' | 'zip';

/** Bytes needed to tell the formats apart: the tar magic ends at offset 262. */
export const SNIFF_BYTES = 512;

/**
 * The format the first bytes show. zip: a local file header "PK\3\4" (APPNOTE 4.3.7) or, for an
 * empty zip, the end-of-central-directory record "PK\5\6"; tar: "ustar" at offset 257 of the first
 * header (POSIX.1-1988 ustar and GNU tar both write it). Pre-POSIX v7 tars have no magic and are
 * not accepted.
 */
export function archiveFormat(head: Buffer): ArchiveFormat | null {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) {
    return 'zip';
  }
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'tar';
  return null;
}

/** gzip (RFC 1952 §2.3.1: ID1 31, ID2 139), the usual mistake: a .tar.gz. */
export const isGzip = (head: Buffer): boolean => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
