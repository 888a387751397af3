import { fork } from 'node:child_process';
import path from 'node:path';
import type { ChurnRow } from '@vigil/common';
import type { Trainer, TrainedModel } from '../../domain/ports';

/** Messages from training-process.ts. */
export type TrainingMessage =
  | { type: 'progress'; progress: number }
  | { type: 'done'; model: Omit<TrainedModel, 'onnx'> & { onnxBase64: string } }
  | { type: 'error'; message: string };

const CHILD = path.join(__dirname, 'training-process.ts');

/**
 * Runs training in a child Node process: training is CPU-bound for seconds, and in-process it
 * would stall every HTTP request (a worker thread would too under jest, which cannot load TS in
 * workers). Killing the child is also a clean way to abandon a job on shutdown.
 */
export function createChildTrainer(): Trainer & { close(): void } {
  const running = new Set<ReturnType<typeof fork>>();
  return {
    train(pipeline: string, rows: ChurnRow[], seed: number, onProgress: (p: number) => void): Promise<TrainedModel> {
      return new Promise((resolve, reject) => {
        const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
        running.add(child);
        let stderr = '';
        let settled = false;
        child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
        child.on('message', (msg: TrainingMessage) => {
          if (msg.type === 'progress') onProgress(msg.progress);
          else if (msg.type === 'done') {
            settled = true;
            const { onnxBase64, ...rest } = msg.model;
            resolve({ ...rest, onnx: Buffer.from(onnxBase64, 'base64') });
            child.disconnect();
          } else {
            settled = true;
            reject(new Error(msg.message));
          }
        });
        child.on('exit', (code, signal) => {
          running.delete(child);
          if (!settled) reject(new Error(`training process exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ''}`));
        });
        child.send({ pipeline, rows, seed });
      });
    },
    close() {
      for (const child of running) child.kill('SIGKILL');
    },
  };
}
