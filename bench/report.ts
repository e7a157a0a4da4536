// Shared pieces of the benchmark reports: medians, aligned text tables, result files.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './servers.js';

export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Right-aligned columns, except the first `leftColumns` (names read better left-aligned). */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, leftColumns = 2): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** 123456.7 -> "123,457"; small numbers keep a decimal or two. */
export function fmtNumber(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** a / b with two decimals, or two significant digits when it is below 0.1. */
export function fmtRatio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return '-';
  const r = a / b;
  if (r >= 100) return r.toFixed(0);
  return r >= 0.1 || r === 0 ? r.toFixed(2) : r.toPrecision(2);
}

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const abs = Math.abs(n);
  if (abs >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (abs >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (abs >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}

/** "2025-11-25T18-03-12" for file names. */
export function stamp(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace(/:/g, '-');
}

/** Writes bench/results/<name>-<stamp>.json and returns its path relative to the root. */
export function saveResult(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}-${stamp()}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return path.relative(ROOT, file);
}

export function hasFlag(name: string): boolean {
  return process.argv.includes(name);
}

/** --name=value or --name value. */
export function flagValue(name: string): string | undefined {
  const args = process.argv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === name) return args[i + 1];
    if (a.startsWith(name + '=')) return a.slice(name.length + 1);
  }
  return undefined;
}

/** True when the module at `url` is the script node was started with. */
export function isMain(url: string): boolean {
  const script = process.argv[1];
  return script !== undefined && path.resolve(script) === path.resolve(new URL(url).pathname);
}

/** A benchmark run as a script failed: its error is printed and the process exits with 1. */
export function failRun(e: unknown): void {
  console.error(e);
  process.exitCode = 1;
}

export function log(message: string): void {
  process.stderr.write(message + '\n');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
