// How the CLI reports runs: values, durations, tables and a run's end.
import { shortHash } from '../core/format.js';
import type { RunRecord } from '../core/runs/runRecord.js';
import { err } from './printer.js';

export function formatValue(v: unknown): string {
  switch (typeof v) {
    case 'number':
      if (!Number.isFinite(v)) return String(v);
      return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
    case 'string':
      return v;
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'undefined':
      return '-';
    default:
      return v === null ? '-' : JSON.stringify(v);
  }
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${Math.round(s % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

export function metricsText(summary: RunRecord['summary'], max = 6): string {
  return Object.entries(summary)
    .slice(0, max)
    .map(([k, s]) => `${k}=${formatValue(s.last)}`)
    .join(' ');
}

export function reportRun(r: RunRecord): void {
  const parts = [
    `cairn: run ${r.id} ${r.status} in ${formatDuration(r.durationMs)}`,
    r.exitCode !== null ? `(exit ${r.exitCode})` : r.signal ? `(${r.signal})` : '',
  ];
  err(parts.filter(Boolean).join(' '));
  const m = metricsText(r.summary);
  if (m) err(`  metrics: ${m}`);
  if (r.skippedLines > 0) err(`  ${r.skippedLines} malformed metric line(s) skipped`);
  for (const o of r.outputs) err(`  versioned ${o.kind} ${o.path} ${shortHash(o.hash)}`);
  if (r.error) err(`  ${r.error}`);
}
