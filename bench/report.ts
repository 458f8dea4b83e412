/** Percentiles, a printed table and a JSON file per benchmark. */
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { join } from "node:path"

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index]
}

export type Series = { name: string; samples: number[] }

export function summarize(series: Series) {
  const { samples } = series
  return {
    name: series.name,
    n: samples.length,
    p50_ms: round(percentile(samples, 50)),
    p95_ms: round(percentile(samples, 95)),
    min_ms: round(Math.min(...samples)),
    max_ms: round(Math.max(...samples)),
  }
}

export function round(value: number, digits = 1): number {
  return Math.round(value * 10 ** digits) / 10 ** digits
}

export function machine() {
  return { cpus: cpus().length, cpu_model: cpus()[0]?.model, memory_gb: round(totalmem() / 2 ** 30), node: process.version }
}

export function report(name: string, rows: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  const dir = join(process.cwd(), "bench-results")
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${name}.json`)
  writeFileSync(file, JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), rows, ...extra }, null, 2))
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column] ?? "").length)))
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ")
  const text = [
    `\n== ${name}`,
    line(columns),
    line(widths.map((width) => "-".repeat(width))),
    ...rows.map((row) => line(columns.map((column) => String(row[column] ?? "")))),
    ...Object.entries(extra).map(([key, value]) => `${key}: ${JSON.stringify(value)}`),
    `(written to ${file})\n`,
  ].join("\n")
  process.stdout.write(text)
}
