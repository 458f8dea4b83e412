import { PaymentSessionStatus } from "@medusajs/framework/utils"
import type { Session, SessionStatus } from "../../lib/kustom-ipp"
import type { SaleState } from "../../lib/sales"
import { MedusaError } from "@medusajs/framework/utils"
import { KUSTOM_IPP_EVENTS, orderRefusalOf, paymentProblemOf, planSessionOutcome } from "../process-kustom-ipp-session"

const SESSION_ID = "ks_1"
const merchant = { payment_session_id: "payses_1", payment_collection_id: "paycol_1", sale_kind: "cart" as const, sale_id: "cart_1" }

function session(status: SessionStatus, extra: Partial<Session> = {}): Session {
  return {
    session_id: SESSION_ID,
    status,
    device_id: "dev_1",
    order_id: status === "FINALIZED" ? "om_1" : null,
    order_amount: 12_500,
    order_tax_amount: 2_500,
    purchase_currency: "SEK",
    merchant_data: JSON.stringify(merchant),
    order_items: [],
    ...extra,
  } as Session
}

function sale(overrides: { data?: Record<string, unknown>; status?: string; total?: number; completed?: boolean; cancelled?: boolean; kind?: "cart" | "draft_order"; provider?: string } = {}): SaleState {
  return {
    paymentSession: {
      id: "payses_1",
      provider_id: overrides.provider ?? "pp_pay-in-store_kustom",
      amount: 125,
      currency_code: "sek",
      status: overrides.status ?? "pending",
      data: { kustom_session_id: SESSION_ID, kustom_status: "CREATED", ...overrides.data },
      payment_collection_id: "paycol_1",
    },
    ref: { kind: overrides.kind ?? "cart", id: "cart_1" },
    completed: overrides.completed ?? false,
    orderId: overrides.completed ? "order_1" : null,
    orderDisplayId: overrides.completed ? 7 : null,
    orderCancelled: overrides.cancelled ?? false,
    total: overrides.total ?? 125,
  }
}

const plan = (s: Session | null, target: { merchant?: typeof merchant | null; sale?: SaleState | null } = {}) =>
  planSessionOutcome(SESSION_ID, s, { merchant: target.merchant === undefined ? merchant : target.merchant, sale: target.sale === undefined ? sale() : target.sale })

describe("planSessionOutcome", () => {
  it("ignores sessions Kustom does not know or that are not the plugin's", () => {
    expect(plan(null)).toMatchObject({ action: "none", outcome: "unknown_session" })
    expect(plan(session("FINALIZED"), { merchant: null })).toMatchObject({ action: "none", outcome: "not_ours" })
    expect(plan(session("CREATED"), { sale: sale({ provider: "pp_stripe_stripe" }) })).toMatchObject({ action: "cancel_orphan" })
  })

  it("completes a paid cart and converts a paid draft order", () => {
    expect(plan(session("FINALIZED"))).toMatchObject({ action: "complete_cart", outcome: "order_created", event: KUSTOM_IPP_EVENTS.SESSION_FINALIZED })
    expect(plan(session("FINALIZED"), { sale: sale({ kind: "draft_order" }) })).toMatchObject({ action: "convert_draft" })
  })

  it("records Medusa's refusal to make a paid sale an order as a problem, and keeps to it on every later look", () => {
    const refusal = "Not enough stock available for item"
    const first = planSessionOutcome(SESSION_ID, session("FINALIZED"), { merchant, sale: sale() }, refusal)
    const problem =
      "Paid 125.00 SEK on the device, but Medusa refused to make cart cart_1 an order: Not enough stock available for item. " +
      "No order records this payment: give the money back in Kustom (refund the payment, or cancel its authorization if nothing was captured); its Kustom order is om_1."
    expect(first).toMatchObject({
      action: "record",
      outcome: "order_refused",
      status: PaymentSessionStatus.ERROR,
      event: KUSTOM_IPP_EVENTS.ORDER_REFUSED,
      reason: problem,
      data: { problem, order_refusal: refusal, kustom_status: "FINALIZED", kustom_order_id: "om_1" },
    })
    expect(paymentProblemOf(first, session("FINALIZED"))).toMatchObject({ kustom_session_id: SESSION_ID, sale_kind: "cart", sale_id: "cart_1", paid_amount: 12_500, problem })
    // Recorded: a redelivery or the sweep neither completes the cart nor records it again.
    const later = plan(session("FINALIZED"), { sale: sale({ status: "error", data: first.data }) })
    expect(later).toMatchObject({ action: "none", outcome: "order_refused", reason: problem })
    // A draft order, and one converted in Medusa while its payment waited on the device.
    expect(planSessionOutcome(SESSION_ID, session("FINALIZED"), { merchant, sale: sale({ kind: "draft_order" }) }, refusal).reason).toMatch(
      /^Paid 125\.00 SEK on the device, but Medusa refused to make draft order \(unknown\) an order: /
    )
    expect(planSessionOutcome(SESSION_ID, session("FINALIZED"), { merchant, sale: sale({ kind: "draft_order", completed: true }) }, refusal).reason).toMatch(
      /^Paid 125\.00 SEK on the device, but Medusa refused to record it on order #7: /
    )
    // A sale already ordered with this payment, or a session not paid, is not affected.
    expect(planSessionOutcome(SESSION_ID, session("FINALIZED"), { merchant, sale: sale({ completed: true, status: "authorized" }) }, refusal)).toMatchObject({
      outcome: "already_ordered",
    })
    expect(planSessionOutcome(SESSION_ID, session("CANCELLED"), { merchant, sale: sale() }, refusal)).toMatchObject({ outcome: "recorded" })
  })

  it("tells Medusa's refusals from what may pass on a later try", () => {
    expect(orderRefusalOf(new MedusaError(MedusaError.Types.INVALID_DATA, "No shipping method selected."))).toBe("No shipping method selected.")
    expect(orderRefusalOf(new MedusaError(MedusaError.Types.NOT_ALLOWED, "Not enough stock"))).toBe("Not enough stock")
    // As a workflow rethrows a step's error: a plain object with the type kept.
    expect(orderRefusalOf({ type: "not_found", message: "Variant variant_1 was not found" })).toBe("Variant variant_1 was not found")
    expect(orderRefusalOf(new MedusaError(MedusaError.Types.UNEXPECTED_STATE, "Kustom could not be reached while reading"))).toBeNull()
    expect(orderRefusalOf(new MedusaError(MedusaError.Types.NOT_ALLOWED, "Kustom refused capturing the payment (HTTP 409): conflict."))).toBeNull()
    expect(orderRefusalOf(new Error("Timed-out acquiring lock."))).toBeNull()
    expect(orderRefusalOf(new MedusaError(MedusaError.Types.NOT_ALLOWED, "Session: payses_1 was not authorized with the provider."))).toBeNull()
    expect(orderRefusalOf(new MedusaError(MedusaError.Types.INVALID_DATA, "  "))).toBeNull()
    expect(orderRefusalOf(undefined)).toBeNull()
  })

  it("never orders twice: a sale completed with this payment is left as it is, whatever event came", () => {
    for (const kind of ["cart", "draft_order"] as const) {
      for (const status of ["authorized", "captured"]) {
        expect(plan(session("FINALIZED"), { sale: sale({ kind, completed: true, status }) })).toMatchObject({
          action: "none",
          outcome: "already_ordered",
          order_id: "order_1",
        })
      }
    }
  })

  it("records the payment on a draft order converted in Medusa while the payment was on the device", () => {
    for (const status of ["pending", "requires_more", "error"]) {
      expect(plan(session("FINALIZED"), { sale: sale({ kind: "draft_order", completed: true, status }) })).toMatchObject({
        action: "record_payment_on_order",
        outcome: "payment_recorded",
        order_id: "order_1",
        event: KUSTOM_IPP_EVENTS.SESSION_FINALIZED,
      })
    }
    // Still open on the device: nothing to record yet.
    expect(plan(session("CREATED"), { sale: sale({ kind: "draft_order", completed: true }) })).toMatchObject({ action: "none", outcome: "unchanged" })
  })

  it("flags money taken for a draft order converted and then cancelled while the payment was on the device", () => {
    const result = plan(session("FINALIZED"), { sale: sale({ kind: "draft_order", completed: true, cancelled: true }) })
    expect(result).toMatchObject({ action: "record", outcome: "unmatched", status: PaymentSessionStatus.ERROR, order_id: "order_1", event: KUSTOM_IPP_EVENTS.UNMATCHED })
    expect(result.data?.problem).toBe(
      "Paid 125.00 SEK on the device after order #7 was cancelled in Medusa. Nothing was recorded on it: give the money back in Kustom (refund the payment, or cancel its authorization if nothing was captured); its Kustom order is om_1."
    )
    // Paid with this payment before it was cancelled: that is an order like any other.
    expect(plan(session("FINALIZED"), { sale: sale({ kind: "draft_order", completed: true, cancelled: true, status: "captured" }) })).toMatchObject({
      outcome: "already_ordered",
    })
  })

  it("records no money on a converted draft order whose total differs from what was paid, and says why", () => {
    const result = plan(session("FINALIZED"), { sale: sale({ kind: "draft_order", completed: true, total: 126 }) })
    expect(result).toMatchObject({ action: "record", outcome: "amount_mismatch", status: PaymentSessionStatus.ERROR, event: KUSTOM_IPP_EVENTS.AMOUNT_MISMATCH })
    expect(result.data?.problem).toMatch(/The draft order was converted to order #7 in Medusa meanwhile; the payment was not recorded on it/)
    // Amounts as a person reads them, not in minor units.
    expect(result.data?.problem).toMatch(/^Paid 125\.00 SEK on the device, but the sale changed after the payment was sent: it now totals 126\.00 SEK\. /)
    // What to do: all of it back (no order records any of it), and the new total collected on the order.
    expect(result.data?.problem).toMatch(/give the money back in Kustom .*, then collect the order's 126\.00 SEK another way/)
    expect(result.data?.problem).not.toMatch(/take the difference/)
  })

  it("says what was paid against what was sent when the device took another amount, and to send the cart's total again", () => {
    const result = plan({ ...session("FINALIZED"), order_amount: 12400 }, { sale: sale({ total: 125 }) })
    expect(result).toMatchObject({ outcome: "amount_mismatch" })
    expect(result.data?.problem).toMatch(/^Paid 124\.00 SEK on the device for a payment of 125\.00 SEK; the sale totals 125\.00 SEK\. No order was created: /)
    expect(result.data?.problem).toMatch(/then send the payment again for 125\.00 SEK/)
    expect(result.reason).toBe(result.data?.problem)
  })

  it("drops a decline made before the card that paid when it flags the payment", () => {
    const result = plan(session("FINALIZED"), { sale: sale({ total: 126, data: { kustom_status: "ACTIVE", failure_reason: "INSUFFICIENT_FUNDS" } }) })
    expect(result).toMatchObject({ outcome: "amount_mismatch", data: { failure_reason: null, kustom_status: "FINALIZED" } })
  })

  it("flags money taken for a cart that became an order without this payment, and attaches nothing", () => {
    const result = plan(session("FINALIZED"), { sale: sale({ completed: true }) })
    expect(result).toMatchObject({
      action: "record",
      outcome: "unmatched",
      status: PaymentSessionStatus.ERROR,
      order_id: "order_1",
      event: KUSTOM_IPP_EVENTS.UNMATCHED,
      data: { kustom_status: "FINALIZED", kustom_order_id: "om_1" },
    })
    expect(result.data?.problem).toBe(
      "Paid 125.00 SEK on the device after the cart became order #7 without this payment. " +
        "Nothing was recorded on the order: give the money back in Kustom (refund the payment, or cancel its authorization if nothing was captured); its Kustom order is om_1."
    )
    expect(result.reason).toBe(result.data?.problem)
    // Recorded already: a redelivery flags it again and writes nothing.
    const again = plan(session("FINALIZED"), { sale: sale({ completed: true, status: "error", data: result.data }) })
    expect(again).toMatchObject({ action: "none", outcome: "unmatched", event: KUSTOM_IPP_EVENTS.UNMATCHED, reason: result.data?.problem })
    expect(again.data).toBeUndefined()
  })

  it("creates no order when currency, payment amount or sale total differ, and says why", () => {
    for (const [s, sl] of [
      [session("FINALIZED", { order_amount: 12_400 }), sale()],
      [session("FINALIZED", { purchase_currency: "EUR" }), sale()],
      [session("FINALIZED"), sale({ total: 126 })],
    ] as const) {
      const result = plan(s, { sale: sl })
      expect(result).toMatchObject({ action: "record", outcome: "amount_mismatch", status: PaymentSessionStatus.ERROR, event: KUSTOM_IPP_EVENTS.AMOUNT_MISMATCH })
      expect(result.data?.problem).toMatch(/No order was created/)
      // Recorded already: a redelivery raises the alarm again and writes nothing.
      const again = plan(s, { sale: { ...sl, paymentSession: { ...sl.paymentSession, status: "error", data: result.data as Record<string, unknown> } } })
      expect(again).toMatchObject({ action: "none", outcome: "amount_mismatch", event: KUSTOM_IPP_EVENTS.AMOUNT_MISMATCH, reason: result.data?.problem })
    }
  })

  it("records declines, cancellations, expiry and failures once", () => {
    expect(plan(session("ACTIVE", { failure_reason: "LOST_CARD" }))).toMatchObject({
      action: "record",
      status: PaymentSessionStatus.PENDING,
      event: KUSTOM_IPP_EVENTS.PAYMENT_FAILED,
      data: { failure_reason: "LOST_CARD", kustom_status: "ACTIVE" },
    })
    expect(plan(session("ACTIVE", { failure_reason: "LOST_CARD" }), { sale: sale({ data: { kustom_status: "ACTIVE", failure_reason: "LOST_CARD" } }) })).toMatchObject({ action: "none" })
    expect(plan(session("CANCELLED"))).toMatchObject({ action: "record", status: PaymentSessionStatus.CANCELED, event: KUSTOM_IPP_EVENTS.SESSION_CANCELLED })
    expect(plan(session("CANCELLED"), { sale: sale({ status: "canceled", data: { kustom_status: "CANCELLED", failure_reason: "cancelled" } }) })).toMatchObject({ action: "none" })
    expect(plan(session("EXPIRED"))).toMatchObject({ status: PaymentSessionStatus.CANCELED, data: { failure_reason: "expired" }, event: KUSTOM_IPP_EVENTS.SESSION_EXPIRED })
    expect(plan(session("FAILED"))).toMatchObject({ status: PaymentSessionStatus.ERROR, event: KUSTOM_IPP_EVENTS.SESSION_FAILED })
    expect(plan(session("CREATED"))).toMatchObject({ action: "none", outcome: "unchanged" })
  })

  it("changes nothing for a look at the session older than what is recorded (read before the sale's lock)", () => {
    // A run read the session while the clerk was still collecting; meanwhile another run took the
    // payment and completed the cart. Kustom's sessions only move forward, so the older look is stale.
    const paid = sale({ status: "authorized", completed: true, data: { kustom_status: "FINALIZED", failure_reason: null } })
    expect(plan(session("ACTIVE", { failure_reason: "INSUFFICIENT_FUNDS" }), { sale: paid })).toMatchObject({ action: "none", outcome: "unchanged" })
    expect(plan(session("CREATED"), { sale: paid })).toMatchObject({ action: "none", outcome: "unchanged" })
    const declined = sale({ data: { kustom_status: "ACTIVE", failure_reason: "LOST_CARD" } })
    expect(plan(session("CREATED"), { sale: declined })).toMatchObject({ action: "none", outcome: "unchanged" })
    const cancelled = sale({ status: "canceled", data: { kustom_status: "CANCELLED", failure_reason: "cancelled" } })
    expect(plan(session("ACTIVE"), { sale: cancelled })).toMatchObject({ action: "none", outcome: "unchanged" })
    // A newer look still moves it on.
    expect(plan(session("ACTIVE", { failure_reason: "LOST_CARD" }), { sale: sale() })).toMatchObject({ action: "record", data: { kustom_status: "ACTIVE" } })
  })

  it("withdraws a session on a device that no payment stands for any more", () => {
    expect(plan(session("CREATED"), { sale: null })).toMatchObject({ action: "cancel_orphan", outcome: "orphan_cancelled" })
    expect(plan(session("ACTIVE"), { sale: sale({ data: { kustom_session_id: "ks_newer" } }) })).toMatchObject({ action: "cancel_orphan" })
    expect(plan(session("CANCELLED"), { sale: null })).toMatchObject({ action: "none", outcome: "not_ours" })
  })

  it("flags money taken for a payment that no longer exists, without ordering", () => {
    expect(plan(session("FINALIZED"), { sale: null })).toMatchObject({ action: "none", outcome: "unmatched", event: KUSTOM_IPP_EVENTS.UNMATCHED })
    expect(plan(session("FINALIZED"), { sale: sale({ data: { kustom_session_id: "ks_newer" } }) })).toMatchObject({ action: "none", outcome: "unmatched" })
  })

  it("leaves a session whose id the provider is still storing, and adopts one whose create timed out", () => {
    expect(plan(session("FINALIZED"), { sale: sale({ data: { kustom_session_id: undefined } }) })).toMatchObject({ action: "none", outcome: "unchanged" })
    const adopted = plan(session("FINALIZED"), { sale: sale({ data: { kustom_session_id: undefined, create_unconfirmed_at: "2026-11-27T12:00:00Z" } }) })
    expect(adopted).toMatchObject({ action: "complete_cart", adopt: { kustom_session_id: SESSION_ID, create_unconfirmed_at: null } })
  })
})

describe("an open session of a sale that became an order another way", () => {
  it("is taken off the device for a cart, and left for a draft order converted in Medusa (its payment is recorded on the order)", () => {
    for (const status of ["CREATED", "ACTIVE"] as const) {
      expect(plan(session(status), { sale: sale({ completed: true }) })).toMatchObject({ action: "cancel_orphan", outcome: "orphan_cancelled", order_id: "order_1" })
      expect(plan(session(status), { sale: sale({ kind: "draft_order", completed: true }) }).action).not.toBe("cancel_orphan")
    }
    // The cart was completed with this very payment: nothing to take off.
    expect(plan(session("CREATED"), { sale: sale({ completed: true, status: "authorized" }) }).action).not.toBe("cancel_orphan")
  })
})

describe("paymentProblemOf", () => {
  it("keeps money taken that no payment records: a mismatch, a replaced payment, a payment with no sale left", () => {
    const paid = session("FINALIZED", { order_amount: 12_600 })
    const mismatch = plan(paid)
    expect(paymentProblemOf(mismatch, paid)).toEqual({
      kustom_session_id: SESSION_ID,
      kustom_order_id: "om_1",
      sale_kind: "cart",
      sale_id: "cart_1",
      payment_session_id: "payses_1",
      device_id: "dev_1",
      currency_code: "sek",
      paid_amount: 12_600,
      problem: mismatch.reason,
    })
    const replaced = plan(session("FINALIZED"), { sale: sale({ data: { kustom_session_id: "ks_newer" } }) })
    expect(paymentProblemOf(replaced, session("FINALIZED"))).toMatchObject({ paid_amount: 12_500, problem: replaced.reason })
    expect(paymentProblemOf(plan(session("FINALIZED"), { sale: null }), session("FINALIZED"))).toMatchObject({ sale_id: "cart_1" })
  })

  it("keeps nothing for a sale that became its order, an open or ended session, or a session that is not the plugin's", () => {
    expect(paymentProblemOf(plan(session("FINALIZED")), session("FINALIZED"))).toBeNull()
    for (const status of ["CREATED", "ACTIVE", "CANCELLED", "EXPIRED", "FAILED"] as const) {
      expect(paymentProblemOf(plan(session(status)), session(status))).toBeNull()
    }
    expect(paymentProblemOf(plan(session("FINALIZED"), { merchant: null }), session("FINALIZED"))).toBeNull()
    expect(paymentProblemOf(plan(null), null)).toBeNull()
  })
})
