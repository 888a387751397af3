/**
 * Closed-loop load for the outage tests: `loops` clients each post one customer at a time to
 * POST /v1/churn/score until stopped, recording what every request got: a status with its media
 * type and prediction id, or the socket error a client would see instead of an answer.
 */
export interface Outcome {
  at: number;
  status: number; // 0: no HTTP answer at all (socket error)
  problem: boolean;
  predictionId?: string;
  error?: string;
}

export function startScoreLoad(opts: { url: string; key: string; customer: Record<string, unknown>; loops: number }) {
  const outcomes: Outcome[] = [];
  let running = true;
  const body = JSON.stringify({ customers: [opts.customer] });
  const headers = { authorization: `Bearer ${opts.key}`, 'content-type': 'application/json' };
  async function loop(): Promise<void> {
    while (running) {
      const at = Date.now();
      try {
        const res = await fetch(`${opts.url}/v1/churn/score`, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
        const text = await res.text();
        const problem = (res.headers.get('content-type') ?? '').startsWith('application/problem+json');
        const predictionId = res.status === 200 ? (JSON.parse(text).predictions[0].predictionId as string) : undefined;
        outcomes.push({ at, status: res.status, problem, predictionId });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause;
        outcomes.push({ at, status: 0, problem: false, error: cause?.code ?? (err as Error).message });
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
  const loops = Array.from({ length: opts.loops }, loop);
  return {
    outcomes,
    async stop(): Promise<Outcome[]> {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

/** Seconds from the first to the last refused request after `since` (0 when none was refused). */
export function outageSeconds(outcomes: Outcome[], since: number): number {
  const refused = outcomes.filter((o) => o.at >= since && o.status !== 200);
  if (refused.length === 0) return 0;
  return (Math.max(...refused.map((o) => o.at)) - Math.min(...refused.map((o) => o.at))) / 1000;
}
