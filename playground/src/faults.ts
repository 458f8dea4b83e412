/**
 * Injected faults, for tests of a client's resilience.
 *
 * API faults match requests by method and path (exact, or a prefix when the path ends in `*`).
 * `when: "before"` answers instead of the real handler, so nothing happens; `when: "after"`
 * lets the real handler run and then delays, drops or replaces its answer, which is how a
 * create that "timed out" but did happen looks to a client.
 */
import { z } from "zod"
import { newId } from "./ids"
import { badRequest, parseOrThrow } from "./problems"
import type { ApiFault, ApiFaultRecord, CallbackFaults, EventType } from "./types"

export const EVENT_TYPES: readonly EventType[] = [
  "ipp.session.created",
  "ipp.session.activated",
  "ipp.session.finalized",
  "ipp.session.cancelled",
  "ipp.payment.failed",
]

const int = (min: number, max: number) =>
  z
    .number()
    .int()
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })

const apiFaultSchema = z.strictObject({
  method: z
    .string()
    .regex(/^[A-Za-z]+$/, { error: "must be an HTTP method" })
    .transform((m) => m.toUpperCase())
    .optional(),
  path: z.string().regex(/^\//, { error: 'must start with "/"' }),
  status: int(100, 599).optional(),
  body: z.unknown().optional(),
  retryAfterSeconds: int(0, 86_400).optional(),
  latencyMs: int(0, 600_000).optional(),
  dropConnection: z.boolean().optional(),
  times: int(1, Number.MAX_SAFE_INTEGER).optional(),
  when: z.enum(["before", "after"]).optional(),
})

const callbackFaultsSchema = z.strictObject({
  duplicate: int(1, 100).optional(),
  concurrent: z.boolean().optional(),
  outOfOrder: z.boolean().optional(),
  delayMs: int(0, 600_000).optional(),
  dropFirst: int(0, 100).optional(),
  dropAll: z.boolean().optional(),
  types: z.array(z.enum(EVENT_TYPES as [EventType, ...EventType[]])).optional(),
})

export function parseApiFault(input: unknown): ApiFault {
  const fault = parseOrThrow(apiFaultSchema, input, "API fault")
  if (fault.status === undefined && !fault.dropConnection && fault.latencyMs === undefined) {
    throw badRequest("Invalid API fault: it needs status, dropConnection or latencyMs to do anything", {
      status: "one of status, dropConnection or latencyMs is required",
    })
  }
  return fault
}

export function parseCallbackFaults(input: unknown): CallbackFaults {
  return parseOrThrow(callbackFaultsSchema, input, "callback faults")
}

export function pathMatches(pattern: string, path: string): boolean {
  return pattern.endsWith("*") ? path.startsWith(pattern.slice(0, -1)) : pattern === path
}

export class ApiFaultRegistry {
  private faults: ApiFaultRecord[] = []

  add(input: unknown): ApiFaultRecord {
    const record: ApiFaultRecord = { id: newId(), ...parseApiFault(input), hits: 0 }
    this.faults.push(record)
    return { ...record }
  }

  list(): ApiFaultRecord[] {
    return this.faults.map((f) => ({ ...f }))
  }

  clear(): void {
    this.faults = []
  }

  /** The first fault that applies to this request, counted as one hit; exhausted faults are skipped. */
  take(method: string, path: string): ApiFaultRecord | undefined {
    const fault = this.faults.find(
      (f) =>
        (f.times === undefined || f.hits < f.times) &&
        (f.method === undefined || f.method === method) &&
        pathMatches(f.path, path)
    )
    if (!fault) return undefined
    fault.hits++
    return { ...fault }
  }
}
