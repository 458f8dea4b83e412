import { z } from "zod"

export const SendToDeviceSchema = z
  .object({
    device_id: z.string({ error: "is required: the Kustom device to send the payment to" }).trim().min(1, "must not be empty"),
    provider_id: z.string().trim().startsWith("pp_pay-in-store_", "must be a Pay in store provider (pp_pay-in-store_…)").optional(),
  })
  .strict()

export type SendToDeviceBody = z.infer<typeof SendToDeviceSchema>
