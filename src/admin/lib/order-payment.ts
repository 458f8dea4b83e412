/**
 * What the order page's in-store payment card says about a payment: its status in Medusa's words,
 * and money Kustom still holds on a cancelled order. Pure, so that it is tested without a browser.
 */
import type { OrderInStorePayment, OrderInStorePaymentProblem } from "./api"
import { formatMinor } from "./format"

type Amounts = Pick<OrderInStorePayment, "kustom_order_status" | "kustom_status" | "captured_amount" | "refunded_amount" | "remaining_authorized_amount" | "live">

/** Kustom's order statuses stop at CAPTURED; what was refunded since is read from the amounts. */
export function paymentStatusOf(payment: Amounts): string | null {
  const status = payment.kustom_order_status ?? payment.kustom_status
  if (status && payment.refunded_amount > 0 && ["CAPTURED", "PART_CAPTURED", "CLOSED"].includes(status)) {
    return payment.refunded_amount >= payment.captured_amount ? "REFUNDED" : "PART_REFUNDED"
  }
  return status
}

/**
 * On a cancelled order, what Kustom still holds that the plugin gives back by itself: captured
 * money not refunded, or an authorization nothing was captured from. Zero when there is nothing
 * to give back, or when Kustom could not be asked. The rest of an authorization after a partial
 * capture is not counted: Kustom's API cannot release part of one.
 */
export function heldAfterCancel(payment: Amounts, orderStatus: string | undefined): number {
  if (orderStatus !== "canceled" || !payment.live) return 0
  const held = payment.captured_amount - payment.refunded_amount
  if (held > 0) return held
  return payment.captured_amount === 0 ? Math.max(0, payment.remaining_authorized_amount ?? 0) : 0
}

/**
 * On a cancelled order, what stays authorized on the customer's card after a partial capture:
 * Kustom's API cannot release part of an authorization, so it lapses by itself. Zero otherwise,
 * or when Kustom could not be asked.
 */
export function lapsingAfterCancel(payment: Amounts, orderStatus: string | undefined): number {
  if (orderStatus !== "canceled" || !payment.live || payment.captured_amount === 0) return 0
  return Math.max(0, payment.remaining_authorized_amount ?? 0)
}

type Books = Amounts & Pick<OrderInStorePayment, "medusa_captured_amount" | "medusa_refunded_amount">

/** What Kustom holds of a payment (captured, not refunded) and what Medusa records it holds. */
export function holdingsOf(payment: Books): { kustom: number; medusa: number } {
  return {
    kustom: payment.captured_amount - payment.refunded_amount,
    medusa: payment.medusa_captured_amount - payment.medusa_refunded_amount,
  }
}

/**
 * What Kustom refunded of a capture Medusa never recorded (its answer was lost, then the order
 * was cancelled, and the plugin gave the money back in Kustom): Medusa cannot record a refund
 * beyond its captures, so its refunds list lacks it. Counted only when both agree on what Kustom
 * holds; otherwise the card says they disagree. Zero when Kustom could not be asked.
 */
export function refundedOnlyInKustom(payment: Books): number {
  if (!payment.live) return 0
  const holds = holdingsOf(payment)
  if (holds.kustom !== holds.medusa) return 0
  return Math.max(0, payment.refunded_amount - payment.medusa_refunded_amount)
}

/**
 * What a problem says of the money Kustom gave back: how, once all of it is back (Kustom's order
 * stays CAPTURED after a full refund, so its status alone would read "given back (Captured)"),
 * or how much so far and how much Kustom still holds, after a partial refund.
 */
export function givenBackText(
  problem: Pick<OrderInStorePaymentProblem, "resolved" | "kustom_order_status" | "refunded_amount" | "held_amount" | "currency_code" | "currency_exponent">,
): string {
  if (problem.resolved) {
    return problem.kustom_order_status === "CANCELLED"
      ? "Resolved: Kustom has given this payment back (the authorization was cancelled). "
      : "Resolved: Kustom has given this payment back (refunded in full). "
  }
  // Kustom refuses a refund of what it only authorized: say what to do instead, first.
  if (problem.kustom_order_status === "AUTHORIZED") return "Kustom has only authorized this payment, nothing is captured: cancel the authorization in Kustom. "
  if (!problem.refunded_amount || problem.held_amount === null) return ""
  const money = (amount: number) => formatMinor(amount, problem.currency_code, problem.currency_exponent)
  return `Kustom has given back ${money(problem.refunded_amount)} of this payment so far and still holds ${money(problem.held_amount)}. `
}
