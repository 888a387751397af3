import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFileBlobStore, type BlobStore } from '@vigil/common';

const hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every file under a folder, relative to it. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();

describe('file blob store: content-addressed blobs on the local filesystem', () => {
  let dir: string;
  let store: BlobStore;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-blob-test-'));
    store = createFileBlobStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('put stores bytes under their sha256 at sha256/ab/cd/<hex>, and get returns them', async () => {
    const bytes = Buffer.from('a chest X-ray, say');
    const sha256 = hex(bytes);
    expect(await store.put(bytes)).toEqual({ sha256, created: true });
    expect(filesUnder(dir)).toEqual([path.join('sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256)]);
    expect(store.path(sha256)).toBe(path.join(dir, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256));
    expect(await store.get(sha256)).toEqual(bytes);
    expect(await store.has(sha256)).toBe(true);
  });

  test('the same bytes again are not written again (created: false)', async () => {
    const bytes = Buffer.from('same');
    await store.put(bytes);
    expect(await store.put(Buffer.from('same'))).toEqual({ sha256: hex(bytes), created: false });
    expect(filesUnder(dir)).toHaveLength(1);
  });

  test('an unknown blob is null / false; an empty blob is a blob', async () => {
    const absent = hex(Buffer.from('never stored'));
    expect(await store.get(absent)).toBeNull();
    expect(await store.has(absent)).toBe(false);
    const empty = await store.put(Buffer.alloc(0));
    expect(await store.get(empty.sha256)).toEqual(Buffer.alloc(0));
  });

  test.each(['../../etc/passwd', 'ABCDEF'.repeat(10) + 'abcd', 'a'.repeat(63), `${'a'.repeat(64)}/..`, ''])(
    'a name that is not 64 lowercase hex digits is refused before touching the filesystem: %j',
    async (name) => {
      await expect(store.get(name)).rejects.toMatchObject({ code: 'VIGIL_VALIDATION' });
      await expect(store.has(name)).rejects.toMatchObject({ code: 'VIGIL_VALIDATION' });
      expect(() => store.path(name)).toThrow(/64 lowercase hex digits/);
    },
  );

  test('a blob whose bytes were changed on disk is reported corrupt, not returned', async () => {
    const { sha256 } = await store.put(Buffer.from('original'));
    writeFileSync(store.path(sha256), 'tampered');
    await expect(store.get(sha256)).rejects.toMatchObject({ code: 'VIGIL_INTERNAL', message: expect.stringMatching(/corrupt/) });
  });

  test('concurrent puts of the same and of different blobs, from two stores on one folder, leave whole blobs and no temp files', async () => {
    const other = createFileBlobStore(dir); // as a second replica sharing BLOB_STORE_DIR would
    const blobs = Array.from({ length: 40 }, (_, i) => Buffer.alloc(64 * 1024 + i, i));
    const results = await Promise.all(blobs.flatMap((b) => [store.put(b), other.put(b), store.put(b)]));
    expect(new Set(results.map((r) => r.sha256)).size).toBe(40);
    // Each blob was created at least once; a race may let two writers both say created.
    for (const b of blobs) expect(results.some((r) => r.sha256 === hex(b) && r.created)).toBe(true);
    const files = filesUnder(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files).toHaveLength(40);
    // equals(), not toEqual: jest compares buffers element by element (seconds for 2.6 MB).
    for (const b of blobs) expect(readFileSync(store.path(hex(b))).equals(b)).toBe(true);
  });

  test('a relative folder is resolved once, so a later chdir does not move the store', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const relative = createFileBlobStore('blobs');
      process.chdir(cwd);
      const { sha256 } = await relative.put(Buffer.from('x'));
      expect(relative.path(sha256).startsWith(path.join(dir, 'blobs'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });
});
