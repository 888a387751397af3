import { fork } from 'node:child_process';
import path from 'node:path';
import type { Trainer, TrainedModel, TrainingData } from '../../domain/ports';
import type { XrayPipelineOptions } from './pipelines/xray-pipeline';

/** A trained model as it crosses the process boundary (IPC is JSON: bytes travel as base64). */
export type WireModel = Omit<TrainedModel, 'onnx' | 'files'> & { onnxBase64: string; filesBase64?: Record<string, string> };

/** Messages from training-process.ts. */
export type TrainingMessage =
  | { type: 'progress'; progress: number }
  | { type: 'done'; models: WireModel[] }
  | { type: 'error'; message: string };

/** What training-process.ts receives. */
export interface TrainingOrder {
  pipeline: string;
  data: TrainingData;
  seed: number;
  /** Where the blob store keeps images (xray). */
  blobDir: string;
  xray: XrayPipelineOptions;
}

const CHILD = path.join(__dirname, 'training-process.ts');

export function toWire(model: TrainedModel): WireModel {
  const { onnx, files, ...rest } = model;
  return {
    ...rest,
    onnxBase64: Buffer.from(onnx).toString('base64'),
    filesBase64: files && Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

function fromWire(model: WireModel): TrainedModel {
  const { onnxBase64, filesBase64, ...rest } = model;
  return {
    ...rest,
    onnx: Buffer.from(onnxBase64, 'base64'),
    files: filesBase64 && Object.fromEntries(Object.entries(filesBase64).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  };
}

/**
 * Runs training in a child Node process: training is CPU-bound for seconds to minutes, and
 * in-process it would stall every HTTP request (a worker thread would too under jest, which cannot
 * load TS in workers). Killing the child is also a clean way to abandon a job on shutdown.
 */
export function createChildTrainer(options: { blobDir: string; xray: XrayPipelineOptions }): Trainer & { close(): void } {
  const running = new Set<ReturnType<typeof fork>>();
  return {
    train(pipeline: string, data: TrainingData, seed: number, onProgress: (p: number) => void): Promise<TrainedModel[]> {
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
            resolve(msg.models.map(fromWire));
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
        const order: TrainingOrder = { pipeline, data, seed, blobDir: options.blobDir, xray: options.xray };
        child.send(order);
      });
    },
    close() {
      for (const child of running) child.kill('SIGKILL');
    },
  };
}
