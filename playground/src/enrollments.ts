/**
 * Enrollments: one-time pairing codes a clerk types into the POS app to register a device.
 * A code is single use, expires at `expires_at`, and a PENDING one can be cancelled.
 */
import { z } from "zod"
import type { Core } from "./core"
import { newEnrollmentCode, newId } from "./ids"
import { findLocation } from "./locations"
import { paginate, parsePaging } from "./paging"
import { conflict, fieldError, notFound, parseOrThrow } from "./problems"
import { jsonObject, noContent, ok, type Route } from "./router"
import type { Enrollment, Metadata } from "./types"
import { integer, metadataSchema, optionalId } from "./validation"

export const DEFAULT_ENROLLMENT_EXPIRES_IN_MS = 7_200_000
export const MAX_METADATA_FILTERS = 5

const createSchema = z.object({
  metadata: metadataSchema.optional(),
  expires_in: integer(1_000, 604_800_000).optional(),
  location_id: optionalId,
})

/** The public shape (internal bookkeeping fields left out). */
export function toEnrollmentView(e: Enrollment) {
  return {
    enrollment_id: e.enrollment_id,
    enrollment_code: e.enrollment_code,
    expires_at: e.expires_at,
    status: e.status,
    metadata: e.metadata,
    location_id: e.location_id,
  }
}

/** A PENDING code past its `expires_at` is EXPIRED; checked whenever an enrollment is read. */
function refreshStatus(core: Core, e: Enrollment): Enrollment {
  if (e.status === "PENDING" && Date.parse(e.expires_at) <= Date.now()) {
    e.status = "EXPIRED"
    core.store.changed()
  }
  return e
}

/** Without `location_id` the account's only location is used; with several, one must be named. */
function resolveLocationId(core: Core, locationId: string | undefined): string {
  if (locationId !== undefined) {
    if (!findLocation(core, locationId)) throw fieldError("location_id", `unknown location ${locationId}`)
    return locationId
  }
  if (core.config.locations.length === 1) return core.config.locations[0].id
  throw fieldError("location_id", "is required when the account has more than one location")
}

function uniqueCode(core: Core): string {
  const inUse = new Set([...core.store.enrollments.values()].map((e) => e.enrollment_code))
  for (;;) {
    const code = newEnrollmentCode()
    if (!inUse.has(code)) return code
  }
}

export function createEnrollment(core: Core, body: unknown): Enrollment {
  const input = parseOrThrow(createSchema, body)
  const locationId = resolveLocationId(core, input.location_id)
  const now = Date.now()
  const enrollment: Enrollment = {
    enrollment_id: newId(),
    enrollment_code: uniqueCode(core),
    expires_at: new Date(now + (input.expires_in ?? DEFAULT_ENROLLMENT_EXPIRES_IN_MS)).toISOString(),
    status: "PENDING",
    metadata: (input.metadata ?? {}) as Metadata,
    location_id: locationId,
    created_at: new Date(now).toISOString(),
    device_id: null,
  }
  core.store.enrollments.set(enrollment.enrollment_id, enrollment)
  core.store.changed()
  return enrollment
}

interface ListFilters {
  locationId: string | undefined
  metadata: [string, string][]
  includeConsumed: boolean
}

function parseListFilters(query: URLSearchParams): ListFilters {
  const rawMetadata = query.getAll("metadata")
  if (rawMetadata.length > MAX_METADATA_FILTERS) {
    throw fieldError("metadata", `at most ${MAX_METADATA_FILTERS} metadata filters are allowed`)
  }
  const metadata = rawMetadata.map((filter): [string, string] => {
    const colon = filter.indexOf(":")
    if (colon <= 0) throw fieldError("metadata", `"${filter}" must look like key:value`)
    return [filter.slice(0, colon), filter.slice(colon + 1)]
  })
  const include = query.get("include_consumed")
  if (include !== null && include !== "true" && include !== "false") {
    throw fieldError("include_consumed", "must be true or false")
  }
  return { locationId: query.get("location_id") ?? undefined, metadata, includeConsumed: include === "true" }
}

function matchesFilters(e: Enrollment, filters: ListFilters): boolean {
  // CANCELLED never appears; CONSUMED and EXPIRED only on request.
  if (e.status === "CANCELLED") return false
  if (e.status !== "PENDING" && !filters.includeConsumed) return false
  if (filters.locationId !== undefined && e.location_id !== filters.locationId) return false
  return filters.metadata.every(([key, value]) => key in e.metadata && String(e.metadata[key]) === value)
}

export function listEnrollments(core: Core, query: URLSearchParams) {
  const filters = parseListFilters(query)
  const paging = parsePaging(query)
  const matching = [...core.store.enrollments.values()]
    .map((e) => refreshStatus(core, e))
    .filter((e) => matchesFilters(e, filters))
    .map(toEnrollmentView)
  return paginate(matching, paging)
}

export function cancelEnrollment(core: Core, id: string): void {
  const enrollment = core.store.enrollments.get(id)
  if (!enrollment) throw notFound(`No enrollment with id ${id}`)
  refreshStatus(core, enrollment)
  if (enrollment.status !== "PENDING") {
    throw conflict(`Enrollment ${id} is ${enrollment.status}; only a PENDING enrollment can be cancelled`)
  }
  enrollment.status = "CANCELLED"
  core.store.changed()
}

/** Codes are shown in capitals; accept what a person types (lower case, spaces, dashes). */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]+/g, "")
}

/** Take a PENDING code for a device registration, or explain (as `errors.enrollment_code`) why not. */
export function consumeEnrollment(core: Core, code: string, deviceId: string): Enrollment {
  const wanted = normalizeCode(code)
  const enrollment = [...core.store.enrollments.values()].find((e) => e.enrollment_code === wanted)
  if (!enrollment) throw fieldError("enrollment_code", "is not a known enrollment code")
  refreshStatus(core, enrollment)
  const reasons: Record<string, string> = {
    CONSUMED: "has already been used",
    EXPIRED: "has expired",
    CANCELLED: "has been cancelled",
  }
  if (enrollment.status !== "PENDING") throw fieldError("enrollment_code", reasons[enrollment.status])
  enrollment.status = "CONSUMED"
  enrollment.device_id = deviceId
  core.store.changed()
  return enrollment
}

export function enrollmentRoutes(core: Core): Route[] {
  return [
    {
      method: "POST",
      pattern: "/ipp/v1/enrollments",
      auth: "api",
      handler: (ctx) => ok(toEnrollmentView(createEnrollment(core, jsonObject(ctx, true))), 201),
    },
    {
      method: "GET",
      pattern: "/ipp/v1/enrollments",
      auth: "api",
      requireMerchantHeader: true,
      // The server enforces the mandatory x-merchant-id (400 when missing) for this route.
      handler: (ctx) => ok(listEnrollments(core, ctx.query)),
    },
    {
      method: "DELETE",
      pattern: "/ipp/v1/enrollments/:id",
      auth: "api",
      handler: (ctx) => {
        cancelEnrollment(core, ctx.params.id)
        return noContent()
      },
    },
  ]
}
