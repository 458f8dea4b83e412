import { model } from "@medusajs/framework/utils"

/**
 * Money taken on a device that no Medusa payment records: paid for an amount that no longer
 * matched the sale, for a payment that was replaced or deleted, or after the sale became an
 * order by other means. Kept here, one row per Kustom session, because Medusa deletes a
 * payment session when the payment is sent again, and with it the problem noted on it.
 */
export const KustomIppPaymentProblem = model
  .define("kustom_ipp_payment_problem", {
    id: model.id({ prefix: "kipprob" }).primaryKey(),
    kustom_session_id: model.text().unique(),
    kustom_order_id: model.text().nullable(),
    sale_kind: model.enum(["cart", "draft_order"]),
    /** The cart or draft order the payment was for (a draft order's id is its order's). */
    sale_id: model.text(),
    /** The Medusa payment session it was sent for (null once that no longer existed). */
    payment_session_id: model.text().nullable(),
    device_id: model.text().nullable(),
    /** Lower case, as Medusa writes currencies. */
    currency_code: model.text(),
    /** What the device took, in minor units. */
    paid_amount: model.bigNumber(),
    /** What happened and what to do, in words. */
    problem: model.text(),
  })
  .indexes([{ on: ["sale_id"] }])
