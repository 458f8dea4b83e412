import { MathBN } from "@medusajs/framework/utils"
import type { BigNumberInput } from "@medusajs/framework/types"
import type { KustomIppClient, OrderStatus } from "../../../../lib/kustom-ipp"
import { currencyExponent } from "../../../../lib/session-mapping/minor-units"

/**
 * Money taken on a device that no Medusa payment records, and why: paid for an amount that no
 * longer matched, for a payment that was replaced, or after the order was cancelled in Medusa.
 * Someone must refund it in Kustom or take the difference.
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

/** The problem with what Kustom says of its money now. */
export async function viewPaymentProblem(record: PaymentProblemRecord, kustom: KustomIppClient): Promise<InStorePaymentProblem> {
  const kustomOrder = record.kustom_order_id ? await kustom.orders.get(record.kustom_order_id).catch(() => null) : null
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
    resolved: kustomOrder
      ? kustomOrder.status === "CANCELLED" ||
        (kustomOrder.captured_amount > 0 && kustomOrder.refunded_amount >= kustomOrder.captured_amount && kustomOrder.remaining_authorized_amount === 0)
      : false,
  }
}
