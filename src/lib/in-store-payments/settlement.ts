/**
 * What a payment of a cancelled order still holds, as Medusa's order cancel settles it: what
 * was captured and not refunded is to be refunded; an authorization nothing was captured from
 * is to be released (cancelled).
 */
import { MathBN } from "@medusajs/framework/utils"
import type { BigNumberInput } from "@medusajs/framework/types"
import type { KustomIppClient, Order } from "../kustom-ipp"
import { idempotencyKeyFor } from "../../providers/pay-in-store/payment-data"

type AmountRow = { raw_amount?: BigNumberInput; amount?: BigNumberInput }

export type SettlementRow = {
  canceled_at?: string | Date | null
  captures?: AmountRow[] | null
  refunds?: AmountRow[] | null
}

/** The sum of captures or refunds (major units, exact). */
export const totalOf = (rows: AmountRow[] | null | undefined) =>
  (rows ?? []).reduce((sum, row) => MathBN.add(sum, row.raw_amount ?? row.amount ?? 0), MathBN.convert(0))

/** `refund`: the amount to refund (major units), `release`: cancel the authorization; null when settled. */
export function unsettledMoney(payment: SettlementRow): { refund: BigNumberInput } | { release: true } | null {
  if (payment.captures?.length) {
    const due = MathBN.sub(totalOf(payment.captures), totalOf(payment.refunds))
    return MathBN.gt(due, 0) ? { refund: due } : null
  }
  return payment.canceled_at ? null : { release: true }
}

/**
 * Refunds in Kustom all it still holds captured of its order, named by the state it was seen in:
 * a repeat finds nothing left, and a late duplicate is taken once. Returns what it refunded
 * (minor units).
 */
export async function refundAllKustomHolds(
  client: KustomIppClient,
  orderId: string,
  order: Pick<Order, "captured_amount" | "refunded_amount">
): Promise<number> {
  const held = order.captured_amount - order.refunded_amount
  if (held <= 0) return 0
  const key = idempotencyKeyFor("cancel-refund", orderId, `${order.captured_amount}`, `${order.refunded_amount}`)
  await client.orders.refund(orderId, { refunded_amount: held }, { idempotencyKey: key })
  return held
}
