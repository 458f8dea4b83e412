/**
 * What the draft order's "Pay in store" widget shows: the live status of the latest payment,
 * the callbacks Kustom sent for it (to tell "sent" from "on the device"), and the device to
 * preselect.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { chooseDefaultDevice } from "../../../../lib/device-defaults"
import { findDraftOrderSale, loadInStorePayment, type InStorePaymentStatus } from "../../../../lib/in-store-payments/status"
import { currencyExponent } from "../../../../lib/session-mapping/minor-units"
import { kustomModule, notFound } from "../helpers"

export type CallbackView = {
  event_type: string
  /** When Kustom says the event happened. */
  event_at: string | null
  /** When this server received (and verified) it. */
  received_at: string
  failure_reason: string | null
  /** Every recorded callback passed the signature check; rejected ones are never stored. */
  signature_ok: true
  processing: "received" | "processed" | "failed"
}

export type DraftOrderPaymentView = InStorePaymentStatus & {
  /** The device to preselect: the one this draft was last sent to, the last one used, or the sales channel's / location's default. */
  suggested_device_id: string | null
  callbacks: CallbackView[]
  currency_exponent: number | null
  /**
   * Set when Kustom did not answer the send in time: the payment may or may not be on the
   * device, and Kustom's confirmation is awaited (it is never sent twice on its own).
   */
  create_unconfirmed_at: string | null
  /**
   * Once paid: whether Medusa recorded the capture of the payment. False while a store that
   * captures by hand (`capture: false`) has not captured it: Kustom only holds the amount on the
   * customer's card. Null before the draft is paid in store (also when it was converted instead).
   */
  captured: boolean | null
}

type Resolvable = Pick<MedusaContainer, "resolve">

export async function sessionCallbacks(scope: Resolvable, kustomSessionId: string | null | undefined): Promise<CallbackView[]> {
  if (!kustomSessionId) return []
  const rows = await kustomModule(scope).listKustomIppCallbacks(
    { kustom_session_id: kustomSessionId },
    { order: { created_at: "ASC" }, take: 100 }
  )
  return rows.map((row) => ({
    event_type: row.event_type,
    event_at: row.event_timestamp ? new Date(row.event_timestamp).toISOString() : null,
    received_at: new Date(row.created_at).toISOString(),
    failure_reason: row.failure_reason ?? null,
    signature_ok: true,
    processing: row.status,
  }))
}

/**
 * 404 unless `id` is a draft order or was one (paid in store or converted since): an order made
 * from a cart is said to be an order, not a draft.
 */
export async function assertDraftOrder(scope: Resolvable, id: string): Promise<void> {
  const found = await findDraftOrderSale(scope as MedusaContainer, id)
  if (typeof found === "string") throw draftOrderNotFound(id, found)
}

/** The 404 for a draft order that is not there, or for an order that never was a draft. */
function draftOrderNotFound(id: string, why: "not_found" | "not_a_draft"): Error {
  return notFound(why === "not_a_draft" ? `Draft order ${id} not found: it is an order, not a draft` : `Draft order ${id} was not found`)
}

/** The 404 for a draft-order sale the status loader did not find: says which of the two it is. */
export async function draftOrderMissing(scope: Resolvable, id: string): Promise<Error> {
  const found = await findDraftOrderSale(scope as MedusaContainer, id)
  return draftOrderNotFound(id, typeof found === "string" ? found : "not_found")
}

export async function loadDraftOrderPaymentView(scope: Resolvable, draftOrderId: string): Promise<DraftOrderPaymentView> {
  const found = await loadInStorePayment(scope as MedusaContainer, { kind: "draft_order", id: draftOrderId })
  if (!found) throw await draftOrderMissing(scope, draftOrderId)
  const { status, data } = found
  const kustom = kustomModule(scope)
  let suggested = status.payment?.device_id ?? (await kustom.settings.activity()).last_device_id
  if (!suggested) {
    const query = scope.resolve(ContainerRegistrationKeys.QUERY)
    const {
      data: [order],
    } = await query.graph({ entity: "order", fields: ["id", "sales_channel_id"], filters: { id: draftOrderId } })
    // The device the payment would go to if sent with none chosen, so the clerk sees it first.
    const byDefault = await chooseDefaultDevice(
      scope,
      { kind: "draft_order", id: draftOrderId, salesChannelId: (order as { sales_channel_id?: string | null } | undefined)?.sales_channel_id ?? null },
      kustom.options
    )
    suggested = byDefault?.device_id ?? null
  }
  const currency = status.payment?.currency_code
  const paid = status.sale.completed && status.payment && ["authorized", "captured"].includes(status.payment.status)
  const captured = paid && status.payment ? await isCaptured(scope, status.payment.payment_session_id) : null
  return {
    ...status,
    suggested_device_id: suggested,
    callbacks: await sessionCallbacks(scope, status.payment?.kustom_session_id),
    currency_exponent: currency ? currencyExponent(currency) : null,
    create_unconfirmed_at: status.payment && !status.payment.kustom_session_id ? data?.create_unconfirmed_at ?? null : null,
    captured,
  }
}

/** Whether Medusa recorded a capture of the payment made in this payment session. */
async function isCaptured(scope: Resolvable, paymentSessionId: string): Promise<boolean> {
  const query = scope.resolve(ContainerRegistrationKeys.QUERY)
  const {
    data: [session],
  } = await query.graph({ entity: "payment_session", fields: ["id", "payment.captured_at"], filters: { id: paymentSessionId } })
  return Boolean((session as { payment?: { captured_at?: unknown } | null } | undefined)?.payment?.captured_at)
}
