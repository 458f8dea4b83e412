/**
 * What Medusa has recorded of a payment's captures and refunds, read back by the provider.
 * Medusa records a capture or refund before it asks the provider and names it (the idempotency
 * key is its id), and deletes the record when the provider fails. So the money Kustom moved is
 * compared with Medusa's records to tell an operation that Kustom carried out but whose answer
 * never arrived (Medusa then deleted its record) from one that is still to do.
 */
import { container as appContainer } from "@medusajs/framework"
import { ContainerRegistrationKeys, MathBN, MedusaError, Modules } from "@medusajs/framework/utils"
import type { BigNumberInput, IPaymentModuleService, RemoteQueryFunction } from "@medusajs/framework/types"
import { toMinorUnits } from "../../lib/session-mapping"

type AmountRow = { id: string; raw_amount?: unknown; amount: BigNumberInput }

export type CaptureBooks = {
  /** This capture's amount (major units, as Medusa keeps it). */
  amount: BigNumberInput
  currency_code: string
  /** Whether this capture captures the rest of the payment. */
  completes: boolean
  /** Minor units Medusa records as captured by the payment's other captures. */
  recorded_elsewhere: number
  /** The order the payment belongs to, when it belongs to one. */
  order: { id: string; status: string } | null
}

export type RefundBooks = {
  /** Whether this refund returns all that was captured of its payment. */
  completes: boolean
  /** Minor units Medusa records as refunded by the payment's other refunds. */
  recorded_elsewhere: number
}

function paymentModule(): IPaymentModuleService {
  return appContainer.resolve<IPaymentModuleService>(Modules.PAYMENT)
}

function amountOf(row: AmountRow): BigNumberInput {
  return (row.raw_amount as BigNumberInput | undefined) ?? row.amount
}

function sum(rows: AmountRow[] | undefined) {
  return (rows ?? []).reduce((total, row) => MathBN.add(total, amountOf(row)), MathBN.convert(0))
}

/** The capture Medusa has just recorded, the payment's other captures, and its order. */
export async function readCaptureBooks(captureId: string): Promise<CaptureBooks> {
  const payments = paymentModule()
  const [capture] = await payments.listCaptures({ id: captureId }, { select: ["id", "amount", "raw_amount"], relations: ["payment"] })
  if (!capture?.payment) {
    throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, `Medusa's capture ${captureId} was not found, so its amount is unknown. Nothing was captured.`)
  }
  const payment = await payments.retrievePayment(capture.payment.id, {
    select: ["id", "amount", "raw_amount", "currency_code", "payment_collection_id"],
    relations: ["captures"],
  })
  const currency = payment.currency_code
  const captures = (payment.captures ?? []) as unknown as AmountRow[]
  const total = amountOf(payment as unknown as AmountRow)
  const query = appContainer.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const { data: links } = await query.graph({
    entity: "order_payment_collection",
    fields: ["order.id", "order.status"],
    filters: { payment_collection_id: payment.payment_collection_id },
  })
  const order = (links[0] as { order?: { id: string; status: string } | null } | undefined)?.order ?? null
  return {
    amount: amountOf(capture as unknown as AmountRow),
    currency_code: currency,
    completes: toMinorUnits(sum(captures), currency) >= toMinorUnits(total, currency),
    recorded_elsewhere: toMinorUnits(sum(captures.filter((row) => row.id !== captureId)), currency),
    order: order ? { id: order.id, status: order.status } : null,
  }
}

/** The refund Medusa has just recorded, measured against the payment's captures and other refunds. */
export async function readRefundBooks(refundId: string): Promise<RefundBooks | null> {
  const payments = paymentModule()
  const [refund] = await payments.listRefunds({ id: refundId }, { select: ["id"], relations: ["payment"] })
  if (!refund?.payment) return null
  const payment = await payments.retrievePayment(refund.payment.id, { select: ["id", "currency_code"], relations: ["captures", "refunds"] })
  const currency = payment.currency_code
  const refunds = (payment.refunds ?? []) as unknown as AmountRow[]
  return {
    completes: toMinorUnits(sum(refunds), currency) >= toMinorUnits(sum(payment.captures as unknown as AmountRow[]), currency),
    recorded_elsewhere: toMinorUnits(sum(refunds.filter((row) => row.id !== refundId)), currency),
  }
}
