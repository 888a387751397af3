import { VigilError } from '@vigil/common';

/** Longer names are no image paths; the cap also bounds what an error can echo back. */
const MAX_PATH_LENGTH = 1024;

export type PathResult = { ok: true; path: string } | { ok: false; reason: string };

/**
 * A relative path in canonical form: "/"-separated (a backslash counts as a separator, as Windows
 * tools write them), without "." or empty segments, so "./NORMAL//a.jpeg" and "NORMAL\a.jpeg" are
 * "NORMAL/a.jpeg". Absolute paths ("/x", "C:x", "\\server\x") and ".." segments are refused: they
 * are what a zip-slip archive uses to write outside the folder it is extracted to.
 */
export function canonicalPath(raw: string): PathResult {
  if (raw.length > MAX_PATH_LENGTH) return { ok: false, reason: `is longer than ${MAX_PATH_LENGTH} characters` };
  // NUL ends a C string: "a.png\0../../x" means different files to different tools.
  if (raw.includes('\u0000')) return { ok: false, reason: 'contains a NUL character' };
  const slashed = raw.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) return { ok: false, reason: 'is an absolute path' };
  const segments = slashed.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { ok: false, reason: 'climbs out of its folder with ".."' };
  return { ok: true, path: segments.join('/') };
}

/**
 * The canonical path of an archive entry ('' for the root folder entry "./"). Nothing is ever
 * extracted by name here (images are stored by hash), but an archive that names a file outside
 * itself was built wrongly or to attack an extractor, so it is refused whole rather than guessed at.
 */
export function entryPath(name: string): string {
  const result = canonicalPath(name);
  if (!result.ok) {
    throw new VigilError('VIGIL_UNPROCESSABLE', `The archive entry ${JSON.stringify(name.slice(0, 200))} ${result.reason}; nothing was imported`, {
      details: { entry: name.slice(0, 200) },
    });
  }
  return result.path;
}

/** The file name of the manifest; it sits at the archive root or in the one top folder. */
export const MANIFEST_NAME = 'manifest.csv';

/** Whether an entry (canonical path) may be the manifest: "manifest.csv" or "<folder>/manifest.csv". */
export function isManifestCandidate(path: string): boolean {
  const segments = path.split('/');
  return segments.length <= 2 && segments[segments.length - 1] === MANIFEST_NAME;
}
