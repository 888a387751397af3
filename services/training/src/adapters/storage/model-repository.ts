import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Triton-shaped model repository on the filesystem: <root>/<name>/<version>/model.onnx and
 * config.json. Training writes it; inference reads it. Postgres decides which version is live.
 */
export interface ModelRepository {
  /** Writes model.onnx, config.json and any further files (e.g. backbone.onnx) of a version. */
  save(name: string, version: number, onnx: Uint8Array, config: object, files?: Record<string, Uint8Array>): Promise<void>;
  load(name: string, version: number): Promise<{ onnx: Buffer; config: unknown }>;
  dir(name: string, version: number): string;
  /** One file of a version directory. */
  read(name: string, version: number, file: string): Promise<Buffer>;
}

export function createModelRepository(root: string): ModelRepository {
  const dir = (name: string, version: number) => path.resolve(root, name, String(version));
  // Write to a temporary name and rename: a reader never sees half a model.
  async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, file);
  }
  return {
    dir,
    async save(name, version, onnx, config, files = {}) {
      const target = dir(name, version);
      await mkdir(target, { recursive: true });
      for (const [file, bytes] of Object.entries(files)) await writeAtomically(path.join(target, path.basename(file)), bytes);
      await writeAtomically(path.join(target, 'model.onnx'), onnx);
      await writeAtomically(path.join(target, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    },
    read: (name, version, file) => readFile(path.join(dir(name, version), path.basename(file))),
    async load(name, version) {
      const target = dir(name, version);
      const [onnx, config] = await Promise.all([readFile(path.join(target, 'model.onnx')), readFile(path.join(target, 'config.json'), 'utf8')]);
      return { onnx, config: JSON.parse(config) };
    },
  };
}
