import { model } from "@medusajs/framework/utils"

/** The id of the one activity row (there is one per store). */
export const ACTIVITY_ROW_ID = "kipact_store"

/**
 * What happened last, for the admin: when a callback last arrived and whether its signature
 * was good, and which device a payment was last sent to. One row, updated in place, so a flood
 * of forged callbacks cannot grow the database.
 */
export const KustomIppActivity = model.define("kustom_ipp_activity", {
  id: model.id({ prefix: "kipact" }).primaryKey(),
  last_callback_at: model.dateTime().nullable(),
  last_callback_signature_ok: model.boolean().nullable(),
  last_valid_callback_at: model.dateTime().nullable(),
  last_invalid_callback_at: model.dateTime().nullable(),
  /** Why the last rejected callback failed verification (e.g. invalid_signature). */
  last_invalid_callback_reason: model.text().nullable(),
  last_device_id: model.text().nullable(),
  last_device_used_at: model.dateTime().nullable(),
})
