import { Readable } from 'node:stream';
import { openArchive } from '../../src/adapters/archive/open-archive';
import type { ArchiveEntries } from '../../src/domain/xray-ports';
import { tarOf, zipOf, type ArchiveFile } from '../support/xray-archives';

const FILES: ArchiveFile[] = [
  { name: 'set/', type: 'directory' },
  { name: 'set/manifest.csv', data: 'path,label,subtype,patient_id\n' },
  { name: 'set/a.bin', data: Buffer.alloc(3000, 7) },
  { name: 'set/link', type: 'symlink', linkname: '/etc/passwd' },
];

async function list(entries: ArchiveEntries, max = 1e6) {
  const out: [string, string, number | null][] = [];
  for await (const entry of entries) out.push([entry.name, entry.type, entry.type === 'file' ? ((await entry.read(max))?.length ?? null) : null]);
  return out;
}

const open = (bytes: Buffer, declared: 'tar' | 'zip' | null = null, maxBytes = 1e6) => openArchive(Readable.from([bytes]), { declared, maxBytes });

describe('archive adapters: tar and zip as the same stream of entries', () => {
  test.each([
    ['tar', () => tarOf(FILES)],
    ['zip', async () => zipOf(FILES)],
  ])('%s: names, types and contents; an entry over the read limit is skipped as null', async (_format, make) => {
    const bytes = await make();
    expect(await list(await open(bytes))).toEqual([
      ['set/', 'directory', null],
      ['set/manifest.csv', 'file', 30],
      ['set/a.bin', 'file', 3000],
      ['set/link', 'link', null],
    ]);
    expect((await list(await open(bytes), 1000))[2]).toEqual(['set/a.bin', 'file', null]);
  });

  test('entries not read are skipped, so the next one still arrives (tar waits for each entry to drain)', async () => {
    const names: string[] = [];
    for await (const entry of await open(await tarOf(FILES))) names.push(entry.name);
    expect(names).toHaveLength(4);
  });

  test('a zip whose entries inflate past the archive limit is 413 (zip bomb)', async () => {
    const bomb = zipOf([{ name: 'a', data: Buffer.alloc(600_000) }, { name: 'b', data: Buffer.alloc(600_000) }]);
    expect(bomb.length).toBeLessThan(10_000);
    await expect(list(await open(bomb, null, 1_000_000))).rejects.toMatchObject({ code: 'VIGIL_PAYLOAD_TOO_LARGE' });
  });

  test('a zip entry whose bytes do not match its CRC-32 is a malformed body (400)', async () => {
    const zip = zipOf([{ name: 'a.txt', data: 'hello world' }], { deflate: false });
    zip[zip.indexOf('hello world')] = 0x48; // "Hello world"
    await expect(list(await open(zip))).rejects.toMatchObject({ code: 'VIGIL_VALIDATION', message: expect.stringMatching(/CRC-32 mismatch/) });
  });

  test('the first bytes decide the format; a declared type that disagrees is 415', async () => {
    await expect(open(await tarOf(FILES), 'zip')).rejects.toMatchObject({ code: 'VIGIL_UNSUPPORTED_MEDIA_TYPE', message: 'The body is a tar archive, but its Content-Type says zip' });
    await expect(open(Buffer.from('%PDF-1.7'), 'tar')).rejects.toMatchObject({ message: 'The body is not a tar archive (judged by its first bytes)' });
  });

  test('the byte limit holds for a tar read as it streams', async () => {
    const tar = await tarOf([{ name: 'big', data: Buffer.alloc(200_000) }]);
    const source = Readable.from((function* () { for (let i = 0; i < tar.length; i += 10_000) yield tar.subarray(i, i + 10_000); })());
    const entries = await openArchive(source, { declared: 'tar', maxBytes: 100_000 });
    await expect(list(entries)).rejects.toMatchObject({ code: 'VIGIL_PAYLOAD_TOO_LARGE', message: 'The archive is larger than 97.7 KiB (XRAY_MAX_ARCHIVE_BYTES)' });
  });
});
