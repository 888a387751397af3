import { fork } from 'node:child_process';
import path from 'node:path';
import type { ImageHoldoutScorer } from '../../domain/ports';

export interface HoldoutOrder {
  repositoryRoot: string;
  blobDir: string;
  versions: { name: string; version: number }[];
  images: string[];
}

export type HoldoutReply = { type: 'done'; scores: number[][] } | { type: 'error'; message: string };

const CHILD = path.join(__dirname, 'holdout-process.ts');

/**
 * Scores holdout images with stored image-model versions in a child process: embedding a few
 * hundred images takes seconds of CPU, which must not stall the training service's HTTP loop.
 */
export function createChildHoldoutScorer(options: { repositoryRoot: string; blobDir: string }): ImageHoldoutScorer {
  return {
    score(versions, images) {
      return new Promise((resolve, reject) => {
        const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
        let stderr = '';
        let settled = false;
        child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
        child.on('message', (msg: HoldoutReply) => {
          settled = true;
          if (msg.type === 'done') resolve(msg.scores);
          else reject(new Error(msg.message));
          child.disconnect();
        });
        child.on('exit', (code, signal) => {
          if (!settled) reject(new Error(`holdout scoring process exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ''}`));
        });
        const order: HoldoutOrder = { ...options, versions, images };
        child.send(order);
      });
    },
  };
}
