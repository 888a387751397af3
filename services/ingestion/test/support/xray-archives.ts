import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { XRAY_DIR } from '../../../../tests/support/shared-data';

/** One file of a test archive; `name` is written as given, unsafe names included. */
export interface ArchiveFile {
  name: string;
  data?: Buffer | string;
  type?: 'file' | 'directory' | 'symlink';
  linkname?: string;
}

/** A ustar archive, as `tar -cf` writes one (tar-stream is what the service reads it with, too). */
export async function tarOf(files: ArchiveFile[]): Promise<Buffer> {
  const archive = pack();
  for (const file of files) {
    const type = file.type ?? 'file';
    if (type === 'file') archive.entry({ name: file.name }, Buffer.from(file.data ?? ''));
    else archive.entry({ name: file.name, type, linkname: file.linkname });
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A zip written by hand (APPNOTE 6.3.10 §4.3): local headers, data, central directory, end
 * record. No zip library is a dependency, and one would refuse the unsafe names the tests need.
 */
export function zipOf(files: ArchiveFile[], { deflate = true } = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.type === 'directory' && !file.name.endsWith('/') ? `${file.name}/` : file.name, 'utf8');
    const data = Buffer.from(file.data ?? '');
    const method = deflate && data.length > 0 ? 8 : 0;
    const stored = method === 8 ? deflateRawSync(data) : data;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // bit 11: the name is UTF-8
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below counts
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(method, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(stored.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    const mode = file.type === 'symlink' ? 0o120777 : file.type === 'directory' ? 0o040755 : 0o100644;
    entry.writeUInt32LE((mode << 16) >>> 0, 38);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, name, stored);
    central.push(entry, name);
    offset += local.length + name.length + stored.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

export interface ManifestLine {
  path: string;
  label: string;
  subtype: string;
  patient_id: string;
}

export const manifestCsv = (rows: ManifestLine[], { extra = false } = {}): string =>
  [
    extra ? 'path,label,subtype,patient_id,bytes' : 'path,label,subtype,patient_id',
    ...rows.map((r) => [r.path, r.label, r.subtype, r.patient_id, ...(extra ? ['0'] : [])].join(',')),
  ].join('\n') + '\n';

/** The provided training set's manifest rows, in file order. */
export function realManifest(): ManifestLine[] {
  const [, ...lines] = readFileSync(path.join(XRAY_DIR, 'manifest.csv'), 'utf8').trim().split(/\r?\n/);
  return lines.map((line) => {
    const [p, label, subtype, patientId] = line.split(',');
    return { path: p, label, subtype, patient_id: patientId };
  });
}

/** `n` real rows of each subtype (normal, bacterial, viral) with their image bytes. */
export function realSample(n: number): { rows: ManifestLine[]; images: Map<string, Buffer> } {
  const all = realManifest();
  const rows = ['normal', 'bacterial', 'viral'].flatMap((subtype) => all.filter((r) => r.subtype === subtype).slice(0, n));
  return { rows, images: new Map(rows.map((r) => [r.path, readFileSync(path.join(XRAY_DIR, r.path))])) };
}

/** Archive files for rows and images, under `folder` ('' = the root), manifest first. */
export function datasetFiles(rows: ManifestLine[], images: Map<string, Buffer>, folder = ''): ArchiveFile[] {
  const prefix = folder ? `${folder}/` : '';
  return [
    { name: `${prefix}manifest.csv`, data: manifestCsv(rows) },
    ...[...images].map(([name, data]) => ({ name: `${prefix}${name}`, data })),
  ];
}
