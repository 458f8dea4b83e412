/**
 * zod pieces shared by the request schemas. Unknown request fields are ignored (as a lenient
 * real API does), so only the documented ones are checked.
 */
import { z } from "zod"

export const integer = (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number()
    .int()
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })

export const nonEmptyString = (max = 255) =>
  z
    .string()
    .trim()
    .min(1, { error: "must not be empty" })
    .max(max, { error: `must be at most ${max} characters` })

/** Flat key → primitive metadata; `simulated: true` on playground devices needs booleans. */
export const metadataSchema = z.record(
  z.string().min(1, { error: "keys must not be empty" }),
  z.union([z.string(), z.number(), z.boolean(), z.null()], { error: "must be a string, number, boolean or null" })
)

/** An id field that may also be sent as `null` (= not set). */
export const optionalId = z
  .string()
  .min(1, { error: "must not be empty" })
  .nullable()
  .optional()
  .transform((v) => v ?? undefined)
