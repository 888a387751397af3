import { createHash } from 'node:crypto';
import { ingestXrayDataset, type IngestXrayDeps } from '../../src/domain/ingest-xray-dataset';
import type { ArchiveEntry, XrayDataset, XrayDatasetStore, XrayImage } from '../../src/domain/xray-ports';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (tag: string) => Buffer.concat([PNG, Buffer.from(tag)]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Entries as an adapter yields them; `read` counts which ones were read. */
function entries(files: Record<string, Buffer | string | 'dir' | 'link'>, reads: string[] = []): AsyncIterable<ArchiveEntry> {
  return (async function* () {
    for (const [name, data] of Object.entries(files)) {
      const type = data === 'dir' ? 'directory' : data === 'link' ? 'link' : 'file';
      yield {
        name,
        type,
        read: async (max: number) => {
          reads.push(name);
          const bytes = Buffer.from(data as string | Buffer);
          return bytes.length > max ? null : bytes;
        },
      } satisfies ArchiveEntry;
    }
  })();
}

function fakes(options: { failPut?: boolean } = {}) {
  const stored = new Map<string, Buffer>();
  const saved: { dataset: XrayDataset; images: readonly XrayImage[] }[] = [];
  const store: XrayDatasetStore = {
    async save(dataset, images) {
      const existing = saved.find((s) => s.dataset.sha256 === dataset.sha256);
      if (existing) return { dataset: existing.dataset, created: false };
      saved.push({ dataset, images });
      return { dataset, created: true };
    },
    async find(id) {
      return saved.find((s) => s.dataset.id === id)?.dataset ?? null;
    },
  };
  let n = 0;
  const deps: IngestXrayDeps = {
    store,
    blobs: {
      async put(bytes) {
        if (options.failPut) throw new Error('disk full');
        const key = sha(Buffer.from(bytes));
        const created = !stored.has(key);
        stored.set(key, Buffer.from(bytes));
        return { sha256: key, created };
      },
    },
    // Width and height from the tag's length, so that tests can tell images apart.
    images: { probe: async (bytes) => (bytes.subarray(0, 8).equals(PNG) ? { format: 'png', width: bytes.length, height: 10 } : null) },
    clock: { now: () => new Date('2026-01-01T00:00:00Z') },
    ids: { newId: () => `id-${++n}` },
    maxImagePixels: 1000,
  };
  return { deps, stored, saved };
}

const manifest = (...rows: string[]) => ['path,label,subtype,patient_id', ...rows].join('\n');

describe('ingestXrayDataset', () => {
  test('stores the images by hash and the rows relative to the manifest folder, with counts', async () => {
    const { deps, stored, saved } = fakes();
    const result = await ingestXrayDataset(
      entries({
        'set/': 'dir',
        'set/manifest.csv': manifest('N/a.png,NORMAL,normal,p1', 'P/b.png,pneumonia,Viral,p2', 'P/c.png,PNEUMONIA,bacterial,p2'),
        'set/N/a.png': png('a'),
        'set/P/b.png': png('bb'),
        'set/P/c.png': png('a'), // same bytes as a.png: one blob
        'set/README.txt': 'ignored',
      }),
      'ml',
      deps,
    );
    expect(result.created).toBe(true);
    expect(result.dataset).toMatchObject({ id: 'id-1', imageCount: 3, labels: { NORMAL: 1, PNEUMONIA: 2 }, subtypes: { normal: 1, bacterial: 1, viral: 1 }, clientName: 'ml' });
    expect(stored.size).toBe(2);
    expect(saved[0].images).toEqual([
      { path: 'N/a.png', label: 'NORMAL', subtype: 'normal', patientId: 'p1', sha256: sha(png('a')), mediaType: 'image/png', width: 9, height: 10 },
      { path: 'P/b.png', label: 'PNEUMONIA', subtype: 'viral', patientId: 'p2', sha256: sha(png('bb')), mediaType: 'image/png', width: 10, height: 10 },
      { path: 'P/c.png', label: 'PNEUMONIA', subtype: 'bacterial', patientId: 'p2', sha256: sha(png('a')), mediaType: 'image/png', width: 9, height: 10 },
    ]);
  });

  test('the same rows and images in another order, folder and case are the same dataset', async () => {
    const { deps, saved } = fakes();
    const first = await ingestXrayDataset(entries({ 'manifest.csv': manifest('a.png,NORMAL,normal,p1', 'b.png,PNEUMONIA,viral,p2'), 'a.png': png('a'), 'b.png': png('b') }), 'ml', deps);
    const again = await ingestXrayDataset(
      entries({ './x/b.png': png('b'), 'x/a.png': png('a'), 'x/manifest.csv': `${manifest('./b.png,Pneumonia,VIRAL,p2', 'a.png,normal,normal,p1')}\r\n` }),
      'other',
      deps,
    );
    expect(again).toEqual({ created: false, dataset: first.dataset });
    expect(saved).toHaveLength(1);
    const relabelled = await ingestXrayDataset(entries({ 'manifest.csv': manifest('a.png,NORMAL,normal,p1', 'b.png,PNEUMONIA,bacterial,p2'), 'a.png': png('a'), 'b.png': png('b') }), 'ml', deps);
    expect(relabelled.dataset.sha256).not.toBe(first.dataset.sha256);
  });

  test('an unsafe entry name rejects the archive at once: later entries are not read', async () => {
    const { deps, saved } = fakes();
    const reads: string[] = [];
    const upload = ingestXrayDataset(entries({ 'manifest.csv': manifest('a.png,NORMAL,normal,p1'), '../a.png': png('a'), 'b.png': png('b') }, reads), 'ml', deps);
    await expect(upload).rejects.toMatchObject({ code: 'VIGIL_UNPROCESSABLE', details: { entry: '../a.png' } });
    expect(reads).toEqual(['manifest.csv']);
    expect(saved).toEqual([]);
  });

  test('a path that appears twice in the archive cannot be a row: which copy is meant is unknown', async () => {
    const { deps } = fakes();
    const files = entries({ 'manifest.csv': manifest('a.png,NORMAL,normal,p1'), 'a.png': png('a'), './a.png': png('b') });
    await expect(ingestXrayDataset(files, 'ml', deps)).rejects.toMatchObject({
      details: { errors: [{ row: 1, column: 'path', message: '"a.png" appears more than once in the archive' }] },
    });
  });

  test('images over the pixel limit are rejected by row and not stored', async () => {
    const { deps, stored } = fakes();
    const big = png('x'.repeat(200)); // 208 × 10 pixels > 1000
    await expect(ingestXrayDataset(entries({ 'manifest.csv': manifest('big.png,NORMAL,normal,p1'), 'big.png': big }), 'ml', deps)).rejects.toMatchObject({
      details: { errors: [{ row: 1, column: 'path', message: '"big.png" is 208×10 = 2080 pixels; the limit is 1000' }] },
    });
    expect(stored.size).toBe(0);
  });

  test('a failing blob store fails the upload (503 from the adapter), after the writes in flight settle', async () => {
    const { deps, saved } = fakes({ failPut: true });
    const files: Record<string, Buffer | string> = { 'manifest.csv': manifest('a0.png,NORMAL,normal,p') };
    for (let i = 0; i < 20; i++) files[`a${i}.png`] = png(String(i));
    await expect(ingestXrayDataset(entries(files), 'ml', deps)).rejects.toThrow('disk full');
    expect(saved).toEqual([]);
  });

  test('links, non-images and a missing manifest are reported in the terms of the archive', async () => {
    const { deps } = fakes();
    await expect(ingestXrayDataset(entries({ 'a.png': png('a') }), 'ml', deps)).rejects.toMatchObject({
      message: 'The archive has no manifest.csv at its root or in a top folder; nothing was imported',
    });
    const res = ingestXrayDataset(entries({ 'manifest.csv': manifest('l.png,NORMAL,normal,p', 't.png,NORMAL,normal,p'), 'l.png': 'link', 't.png': 'text' }), 'ml', deps);
    await expect(res).rejects.toMatchObject({
      details: {
        errors: [
          { row: 1, column: 'path', message: '"l.png" is a link or special file in the archive, not an image file' },
          { row: 2, column: 'path', message: '"t.png" is not a PNG or JPEG image (judged by its first bytes)' },
        ],
      },
    });
  });
});
