/**
 * The log of API requests received, for tests to assert on what a client actually sent.
 * Credentials never enter it: the `authorization` header and the SSE `?token=` are redacted.
 */
import type { IncomingHttpHeaders } from "node:http"
import type { RequestLogEntry } from "./types"

export const REDACTED = "[redacted]"

/** A long demo run must not grow memory without bound; tests stay far below this. */
const MAX_ENTRIES = 10_000

const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie"])
const SECRET_QUERY = new Set(["token"])

export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    out[name] = SECRET_HEADERS.has(name) ? REDACTED : Array.isArray(value) ? value.join(", ") : value
  }
  return out
}

export function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [key, raw] of query) {
    const value = SECRET_QUERY.has(key) ? REDACTED : raw
    const existing = out[key]
    if (existing === undefined) out[key] = value
    else out[key] = Array.isArray(existing) ? [...existing, value] : [existing, value]
  }
  return out
}

/** The JSON body when it parses, the text otherwise, `null` when empty. */
export function loggedBody(raw: Buffer): unknown {
  if (raw.length === 0) return null
  const text = raw.toString("utf8")
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export class RequestLog {
  private entries: RequestLogEntry[] = []

  add(entry: RequestLogEntry): RequestLogEntry {
    this.entries.push(entry)
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES)
    return entry
  }

  list(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e }))
  }

  clear(): void {
    this.entries = []
  }
}
