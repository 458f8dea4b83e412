import { MathBN } from "@medusajs/framework/utils"
import type { BigNumberInput } from "@medusajs/framework/types"
import type { KustomIppClient, OrderStatus } from "../../../../lib/kustom-ipp"
import { currencyExponent } from "../../../../lib/session-mapping/minor-units"

/**
 * Money taken on a device that no Medusa payment records, and why: paid for an amount that no
 * longer matched, for a payment that was replaced, or after the order was cancelled in Medusa.
 * Someone must give it back in Kustom (all of it: no order records any part) and collect the sale anew.
 */
export type InStorePaymentProblem = {
  /** The Medusa payment session it was sent for; null when that one no longer existed. */
  payment_session_id: string | null
  currency_code: string
  currency_exponent: number
  /** What the device took, in minor units. */
  amount: number | null
  device_id: string | null
  kustom_session_id: string
  kustom_order_id: string | null
  problem: string
  /** The Kustom order's status now (null when Kustom could not be asked). */
  kustom_order_status: OrderStatus | null
  /** Refunded by Kustom so far, in minor units (null when Kustom could not be asked). */
  refunded_amount: number | null
  /**
   * What Kustom still holds of it, in minor units: captured and not refunded, plus what is
   * authorized and not captured (null when Kustom could not be asked).
   */
  held_amount: number | null
  /** True once Kustom has given all of it back (refunded or cancelled): nothing is left to do. */
  resolved: boolean
}

/** A problem as kept: a row of the plugin's module, or one noted on a payment session. */
export type PaymentProblemRecord = {
  kustom_session_id: string
  kustom_order_id: string | null
  payment_session_id: string | null
  device_id: string | null
  currency_code: string
  /** Minor units. */
  paid_amount: BigNumberInput | null
  problem: string
}

/** Captured and not refunded, plus what is still authorized: an authorization that was cancelled or lapsed holds nothing. */
function heldBy(order: { status: OrderStatus; captured_amount: number; refunded_amount: number; remaining_authorized_amount: number }): number {
  const authorized = order.status === "CANCELLED" || order.status === "EXPIRED" ? 0 : order.remaining_authorized_amount
  return Math.max(0, order.captured_amount - order.refunded_amount) + authorized
}

/** The problem with what Kustom says of its money now. */
export async function viewPaymentProblem(record: PaymentProblemRecord, kustom: KustomIppClient): Promise<InStorePaymentProblem> {
  const kustomOrder = record.kustom_order_id ? await kustom.orders.get(record.kustom_order_id).catch(() => null) : null
  const held = kustomOrder ? heldBy(kustomOrder) : null
  return {
    payment_session_id: record.payment_session_id,
    currency_code: record.currency_code,
    currency_exponent: currencyExponent(record.currency_code),
    // Already minor units; the module's big number comes back as a number or a BigNumber.
    amount: record.paid_amount === null ? null : MathBN.convert(record.paid_amount).toNumber(),
    device_id: record.device_id,
    kustom_session_id: record.kustom_session_id,
    kustom_order_id: record.kustom_order_id,
    problem: record.problem,
    kustom_order_status: kustomOrder?.status ?? null,
    refunded_amount: kustomOrder?.refunded_amount ?? null,
    held_amount: held,
    resolved: held === 0,
  }
}
