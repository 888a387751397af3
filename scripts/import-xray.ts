/**
 * `npm run import:xray -- [--dir ../shared/data/xray-train] [--url http://127.0.0.1:8081] [--key <api key>]`
 *
 * Imports a folder of labelled chest X-rays (manifest.csv + the images it names) as one X-ray
 * dataset: the folder is packed into a tar on the fly and streamed to POST /v1/datasets/xray, so
 * neither side holds the archive in memory. Prints the service's answer; exits 1 on a refusal.
 * The key (scope models:admin) defaults to $VIGIL_ADMIN_KEY.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { pack, type Pack } from 'tar-stream';

const USAGE = 'usage: npm run import:xray -- [--dir <folder>] [--url <ingestion base url>] [--key <api key>]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: path.join('..', 'shared', 'data', 'xray-train') },
      url: { type: 'string', default: process.env.INGESTION_URL || `http://127.0.0.1:${process.env.INGESTION_PORT || '8081'}` },
      key: { type: 'string', default: process.env.VIGIL_ADMIN_KEY },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.key) {
    console.error(values.help ? USAGE : `import-xray: no API key: pass --key or set VIGIL_ADMIN_KEY\n${USAGE}`);
    return values.help ? 0 : 2;
  }
  const dir = path.resolve(values.dir!);
  const files = await listFiles(dir);
  if (!files.includes('manifest.csv')) {
    console.error(`import-xray: ${dir} has no manifest.csv`);
    return 2;
  }
  // The manifest first, so that a service reading the tar in order knows the rows before the images.
  const ordered = ['manifest.csv', ...files.filter((f) => f !== 'manifest.csv')];
  const totalBytes = (await Promise.all(ordered.map(async (f) => (await stat(path.join(dir, f))).size))).reduce((a, b) => a + b, 0);
  console.log(`import-xray: ${ordered.length} files (${mb(totalBytes)}) from ${dir} → ${values.url}/v1/datasets/xray`);

  const started = Date.now();
  const archive = pack();
  // A file that cannot be read fails the body stream, and with it the request.
  void packFolder(archive, dir, ordered).catch((err: Error) => archive.destroy(err));
  const response = await fetch(`${values.url}/v1/datasets/xray`, {
    method: 'POST',
    headers: { authorization: `Bearer ${values.key}`, 'content-type': 'application/x-tar' },
    body: Readable.toWeb(Readable.from(archive)) as ReadableStream<Uint8Array>,
    // Node's fetch streams a request body only in half-duplex mode (the Fetch standard's "duplex").
    duplex: 'half',
  } as RequestInit & { duplex: 'half' });
  const seconds = (Date.now() - started) / 1000;
  const body = await response.text();
  console.log(`import-xray: HTTP ${response.status} after ${seconds.toFixed(1)} s`);
  console.log(pretty(body));
  return response.ok ? 0 : 1;
}

/** Relative paths of the regular files under dir, "/"-separated, sorted (tar order is stable). */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** Writes each file into the tar as a stream, waiting whenever the HTTP side has not caught up. */
async function packFolder(archive: Pack, dir: string, files: string[]): Promise<void> {
  for (const name of files) {
    const { size } = await stat(path.join(dir, name));
    await new Promise<void>((resolve, reject) => {
      const sink = archive.entry({ name, size, mode: 0o644 }, (err) => (err ? reject(err) : resolve()));
      const source = createReadStream(path.join(dir, name));
      source.on('error', reject);
      source.on('data', (chunk) => {
        if (!sink.write(chunk)) {
          source.pause();
          sink.once('drain', () => source.resume());
        }
      });
      source.on('end', () => sink.end(null));
    });
  }
  archive.finalize();
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`import-xray: ${err.message}${err.cause ? ` (${(err.cause as Error).message})` : ''}`);
    process.exit(1);
  },
);
