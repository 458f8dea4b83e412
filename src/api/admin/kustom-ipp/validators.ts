import { z } from "zod"
import { refusedCharacterMessage } from "../../../lib/text"
import { describeValue } from "./request-body"

/*
 * The admin bodies are checked by ./request-body (not Medusa's validateAndTransformBody), which
 * prefixes each message with its field: `device_id: must be a device id (text), got an array`.
 * The messages here say what the field must be and, for a wrong type, what was sent.
 */

/**
 * Text a person typed or picked: trimmed, not empty, at most `max` characters, without the
 * characters `refusedCharacterMessage` refuses (src/lib/text.ts). `expected` says what the field
 * must hold (`a device id (text)`), `required` what to send when it is missing.
 */
function text(expected: string, required: string, max: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? required : `must be ${expected}, got ${describeValue(issue.input)}`) })
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .superRefine((value, context) => {
      const message = refusedCharacterMessage(value)
      if (message) context.addIssue({ code: "custom", message })
    })
}

/** An id in a body (a device, a Kustom location, a stock location…). */
const bodyId = (expected: string, required: string) => text(expected, required, 200)

export const SendToDeviceSchema = z
  .object({
    device_id: bodyId("a device id (text)", "is required: the Kustom device to send the payment to"),
    provider_id: bodyId("a provider id (text)", "is required: a Pay in store provider id")
      .refine((value) => value.startsWith("pp_pay-in-store_"), "must be a Pay in store provider (pp_pay-in-store_…)")
      .optional(),
  })
  .strict()

export type SendToDeviceBody = z.infer<typeof SendToDeviceSchema>

/* ---------- settings: enrollment codes, devices, defaults, locations ---------- */

/** An id in a query string (list filters). */
const id = (what: string) => z.string({ error: `is required: ${what}` }).trim().min(1, "must not be empty").max(200, "is too long")

const booleanFlag = z
  .union([z.boolean(), z.enum(["true", "false"])])
  .transform((value) => value === true || value === "true")

export const ListEnrollmentsQuerySchema = z
  .object({
    location_id: id("a Kustom location id").optional(),
    include_consumed: booleanFlag.optional(),
  })
  .strict()
export type ListEnrollmentsQuery = z.infer<typeof ListEnrollmentsQuerySchema>

export const CreateEnrollmentSchema = z
  .object({
    location_id: bodyId("a Kustom location id (text)", "is required: a Kustom location id").optional(),
    /** How long the code can be used, in minutes (Kustom allows up to 7 days). */
    expires_in_minutes: z
      .number({ error: (issue) => `must be a number of minutes, got ${describeValue(issue.input)}` })
      .int("must be a whole number of minutes")
      .min(1, "must be at least 1 minute")
      .max(10_080, "must be at most 10080 minutes (7 days)")
      .default(120),
  })
  .strict()
export type CreateEnrollmentBody = z.infer<typeof CreateEnrollmentSchema>

export const ListDevicesQuerySchema = z.object({ location_id: id("a Kustom location id").optional() }).strict()
export type ListDevicesQuery = z.infer<typeof ListDevicesQuerySchema>

/**
 * A whole number in a query string, written in decimal digits only: "0x2", "1e1", an empty
 * value or a repeated parameter (an array) is refused, not read as a number.
 */
const wholeNumber = (field: string, min: number, max: number) =>
  z
    // Medusa's query validator names the field only in its own messages: these name it themselves.
    .string({ error: `${field}: must be a whole number, given once` })
    .regex(/^\d+$/, `${field}: must be a whole number written in digits`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))

/** A page of a list: `limit` (1–50, 20 unless given) and `offset` (0 unless given). */
export const ListPaymentProblemsQuerySchema = z
  .object({
    limit: wholeNumber("limit", 1, 50).default(20),
    offset: wholeNumber("offset", 0, Number.MAX_SAFE_INTEGER).default(0),
  })
  .strict()
export type ListPaymentProblemsQuery = z.infer<typeof ListPaymentProblemsQuerySchema>

export const UpdateDeviceSchema = z
  .object({
    name: text("a device name (text)", "is required: a device name", 100).optional(),
    /** `null` detaches the device from its location. */
    location_id: bodyId("a Kustom location id (text), or null to detach the device from its location", "is required: a Kustom location id")
      .nullable()
      .optional(),
  })
  .strict()
  .refine((body) => body.name !== undefined || body.location_id !== undefined, { error: "Send a new name, a location_id, or both" })
export type UpdateDeviceBody = z.infer<typeof UpdateDeviceSchema>

export const SetDeviceDefaultSchema = z
  .object({
    scope: z.enum(["sales_channel", "location"], {
      error: (issue) =>
        issue.input === undefined
          ? 'is required: "sales_channel" or "location"'
          : `must be "sales_channel" or "location", got ${describeValue(issue.input)}`,
    }),
    scope_id: bodyId("a sales channel or Kustom location id (text)", "is required: the sales channel or Kustom location id"),
    /** `null` removes the default. */
    device_id: bodyId("a device id (text), or null to remove the default", "is required: the device id, or null to remove the default").nullable(),
  })
  .strict()
export type SetDeviceDefaultBody = z.infer<typeof SetDeviceDefaultSchema>

export const LinkLocationSchema = z
  .object({
    stock_location_id: bodyId("a stock location id (text)", "is required: the Medusa stock location id"),
    /** `null` unlinks the stock location. */
    kustom_location_id: bodyId("a Kustom location id (text), or null to unlink", "is required: the Kustom location id, or null to unlink").nullable(),
  })
  .strict()
export type LinkLocationBody = z.infer<typeof LinkLocationSchema>

export const EmptyBodySchema = z.object({}).strict()

export const EmptyQuerySchema = z.object({}).strict()
