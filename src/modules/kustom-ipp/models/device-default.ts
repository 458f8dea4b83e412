import { model } from "@medusajs/framework/utils"

/**
 * The device a payment goes to when the caller names none: one per sales channel and one per
 * Kustom location, chosen by the store owner in the admin. A sales channel's default wins over
 * its location's.
 */
export const KustomIppDeviceDefault = model
  .define("kustom_ipp_device_default", {
    id: model.id({ prefix: "kipdd" }).primaryKey(),
    scope: model.enum(["sales_channel", "location"]),
    /** A Medusa sales channel id, or a Kustom location id. */
    scope_id: model.text(),
    device_id: model.text(),
  })
  .indexes([
    { on: ["scope", "scope_id"], unique: true },
    { on: ["device_id"] },
  ])
