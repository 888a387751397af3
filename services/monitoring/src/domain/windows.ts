import { VigilError } from '@vigil/common';

/** A look-back window, e.g. { name: '7d', ms: 604800000 }. */
export interface Window {
  name: string;
  ms: number;
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const WINDOW_PATTERN = '^[1-9][0-9]{0,4}[mhd]$';
/** Longer windows than this are refused: the table is not meant to be scanned years back. */
const MAX_WINDOW_MS = 366 * UNIT_MS.d;

export function parseWindow(text: string): Window {
  const match = new RegExp(WINDOW_PATTERN).exec(text.trim());
  if (!match) throw new VigilError('VIGIL_VALIDATION', `window ${JSON.stringify(text)} is not a duration like 30m, 1h, 7d`);
  const name = match[0];
  const ms = Number(name.slice(0, -1)) * UNIT_MS[name.slice(-1) as keyof typeof UNIT_MS];
  if (ms > MAX_WINDOW_MS) throw new VigilError('VIGIL_VALIDATION', `window ${name} is longer than 366 days`);
  return { name, ms };
}

/** "1h,1d,7d" → the windows in that order, duplicates dropped. */
export function parseWindows(list: string): Window[] {
  const windows = list.split(',').map(parseWindow);
  return windows.filter((w, i) => windows.findIndex((o) => o.ms === w.ms) === i);
}

/**
 * A window ending at `asOf` starts at the beginning of the minute `ms` earlier: per-minute
 * prediction counts add up whole minutes, so the label counts use the same edge.
 */
export function windowStart(asOf: Date, ms: number): Date {
  return new Date(Math.floor((asOf.getTime() - ms) / 60_000) * 60_000);
}
