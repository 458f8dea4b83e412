import { z } from "zod"

export const SendToDeviceSchema = z
  .object({
    device_id: z.string({ error: "is required: the Kustom device to send the payment to" }).trim().min(1, "must not be empty"),
    provider_id: z.string().trim().startsWith("pp_pay-in-store_", "must be a Pay in store provider (pp_pay-in-store_…)").optional(),
  })
  .strict()

export type SendToDeviceBody = z.infer<typeof SendToDeviceSchema>

/* ---------- settings: enrollment codes, devices, defaults, locations ---------- */

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
    location_id: id("the Kustom location the device will belong to").optional(),
    /** How long the code can be used, in minutes (Kustom allows up to 7 days). */
    expires_in_minutes: z
      .number({ error: "must be a number of minutes" })
      .int("must be a whole number of minutes")
      .min(1, "must be at least 1 minute")
      .max(10_080, "must be at most 10080 minutes (7 days)")
      .default(120),
  })
  .strict()
export type CreateEnrollmentBody = z.infer<typeof CreateEnrollmentSchema>

export const ListDevicesQuerySchema = z.object({ location_id: id("a Kustom location id").optional() }).strict()
export type ListDevicesQuery = z.infer<typeof ListDevicesQuerySchema>

export const UpdateDeviceSchema = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters").optional(),
    /** `null` detaches the device from its location. */
    location_id: id("a Kustom location id").nullable().optional(),
  })
  .strict()
  .refine((body) => body.name !== undefined || body.location_id !== undefined, { error: "Send a new name, a location_id, or both" })
export type UpdateDeviceBody = z.infer<typeof UpdateDeviceSchema>

export const SetDeviceDefaultSchema = z
  .object({
    scope: z.enum(["sales_channel", "location"], { error: 'must be "sales_channel" or "location"' }),
    scope_id: id("the sales channel or Kustom location id"),
    /** `null` removes the default. */
    device_id: id("the device").nullable(),
  })
  .strict()
export type SetDeviceDefaultBody = z.infer<typeof SetDeviceDefaultSchema>

export const LinkLocationSchema = z
  .object({
    stock_location_id: id("the Medusa stock location"),
    /** `null` unlinks the stock location. */
    kustom_location_id: id("the Kustom location").nullable(),
  })
  .strict()
export type LinkLocationBody = z.infer<typeof LinkLocationSchema>

export const EmptyBodySchema = z.object({}).strict()

export const EmptyQuerySchema = z.object({}).strict()
