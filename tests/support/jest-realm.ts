/**
 * Jest setup file (see jest.config.js): runs in every test file's realm before anything loads.
 *
 * Jest gives each test file its own vm realm, while onnxruntime-node's native binding and Node's
 * own Buffers live in the main realm. onnxruntime-common checks tensor data and model bytes with
 * `instanceof` against the constructors of the realm it was loaded in, so a main-realm Float32Array
 * or Buffer is rejected ("A float32 tensor's data must be type of function Float32Array()").
 * Using the main realm's typed-array constructors in the test realm makes both sides agree.
 * Production code is unaffected: outside jest there is only one realm.
 */
import { runInThisContext } from 'node:vm';

for (const name of ['Float32Array', 'Float64Array', 'Int32Array', 'BigInt64Array', 'Uint8Array'] as const) {
  const main = runInThisContext(name);
  if ((globalThis as Record<string, unknown>)[name] !== main) (globalThis as Record<string, unknown>)[name] = main;
}
