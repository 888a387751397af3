import { execFileSync } from 'node:child_process';

/** The code commit recorded in each model's lineage: VIGIL_CODE_COMMIT, else the checkout's HEAD. */
export function resolveCodeCommit(fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}
