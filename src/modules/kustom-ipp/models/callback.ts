import { model } from "@medusajs/framework/utils"

/**
 * One verified callback delivery from Kustom, keyed by its `webhook-id` so that a redelivery
 * is recognised and not processed twice. Kept so that nothing acknowledged is ever forgotten:
 * a delivery still `received` or `failed` is processed again until it is `processed`.
 */
export const KustomIppCallback = model
  .define("kustom_ipp_callback", {
    id: model.id({ prefix: "kipcb" }).primaryKey(),
    webhook_id: model.text().unique(),
    event_type: model.text(),
    kustom_session_id: model.text().nullable(),
    kustom_order_id: model.text().nullable(),
    failure_reason: model.text().nullable(),
    event_timestamp: model.dateTime().nullable(),
    status: model.enum(["received", "processed", "failed"]).default("received"),
    attempts: model.number().default(0),
    last_error: model.text().nullable(),
    next_attempt_at: model.dateTime().nullable(),
    processed_at: model.dateTime().nullable(),
  })
  .indexes([
    { on: ["kustom_session_id"] },
    { on: ["status", "next_attempt_at"] },
  ])
