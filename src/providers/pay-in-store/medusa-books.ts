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

type AmountRow = { id: string; raw_amount?: unknown; amount: BigNumberInput; created_at?: string | Date }

export type CaptureBooks = {
  /** This capture's amount (major units, as Medusa keeps it). */
  amount: BigNumberInput
  currency_code: string
  /** Whether this capture captures the rest of the payment. */
  completes: boolean
  /** Minor units Medusa records as captured by the payment's other captures. */
  recorded_elsewhere: number
  /** Minor units of the other captures recorded before this one (names the attempt, see below). */
  recorded_before: number
  /** The order the payment belongs to, when it belongs to one. */
  order: { id: string; display_id: number | null; status: string } | null
}

export type RefundBooks = {
  /** Whether this refund returns all that was captured of its payment. */
  completes: boolean
  /** Minor units Medusa records as refunded by the payment's other refunds. */
  recorded_elsewhere: number
  /** Minor units of the other refunds recorded before this one (names the attempt, see below). */
  recorded_before: number
}

function paymentModule(): IPaymentModuleService {
  return appContainer.resolve<IPaymentModuleService>(Modules.PAYMENT)
}

function amountOf(row: AmountRow): BigNumberInput {
  return (row.raw_amount as BigNumberInput | undefined) ?? row.amount
}

/**
 * The other records made before `id`. With the amount, this names an attempt independently of
 * Medusa's record id: when every answer to a capture was lost, Medusa deletes its record, and
 * the person's next attempt is a new record, but it has the same records before it and the same
 * amount, so it sends Kustom the same idempotency key, and Kustom takes it once even if the lost
 * one is still on its way.
 */
function recordedBefore(rows: AmountRow[], id: string): AmountRow[] {
  const self = rows.find((row) => row.id === id)
  const at = (row: AmountRow) => new Date(row.created_at ?? 0).getTime()
  if (!self) return rows
  return rows.filter((row) => row.id !== id && (at(row) < at(self) || (at(row) === at(self) && row.id < id)))
}

function sum(rows: AmountRow[] | undefined) {
  return (rows ?? []).reduce((total, row) => MathBN.add(total, amountOf(row)), MathBN.convert(0))
}

/**
 * Whether the record `id` brings its kind (captures of the payment's amount, refunds of its
 * captures) to the whole, to the minor unit: only then may it carry a fraction of one, which
 * rounding left over. Once the other records alone make the whole exactly, nothing is left, and
 * a fraction more would only put Medusa's books beyond what moved.
 */
function completesBooks(rows: AmountRow[], id: string, whole: BigNumberInput, currency: string): boolean {
  const others = sum(rows.filter((row) => row.id !== id))
  return MathBN.lt(others, whole) && toMinorUnits(sum(rows), currency) >= toMinorUnits(whole, currency)
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
    fields: ["order.id", "order.display_id", "order.status"],
    filters: { payment_collection_id: payment.payment_collection_id },
  })
  const order = (links[0] as { order?: { id: string; display_id?: number | null; status: string } | null } | undefined)?.order ?? null
  return {
    amount: amountOf(capture as unknown as AmountRow),
    currency_code: currency,
    completes: completesBooks(captures, captureId, total, currency),
    recorded_elsewhere: toMinorUnits(sum(captures.filter((row) => row.id !== captureId)), currency),
    recorded_before: toMinorUnits(sum(recordedBefore(captures, captureId)), currency),
    order: order ? { id: order.id, display_id: order.display_id ?? null, status: order.status } : null,
  }
}

/** The refund Medusa has just recorded, measured against the payment's captures and other refunds. */
export async function readRefundBooks(refundId: string): Promise<RefundBooks> {
  const payments = paymentModule()
  const [refund] = await payments.listRefunds({ id: refundId }, { select: ["id"], relations: ["payment"] })
  if (!refund?.payment) {
    throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, `Medusa's refund ${refundId} was not found, so what it refunds is unknown. Nothing was refunded.`)
  }
  const payment = await payments.retrievePayment(refund.payment.id, { select: ["id", "currency_code"], relations: ["captures", "refunds"] })
  const currency = payment.currency_code
  const refunds = (payment.refunds ?? []) as unknown as AmountRow[]
  return {
    completes: completesBooks(refunds, refundId, sum(payment.captures as unknown as AmountRow[]), currency),
    recorded_elsewhere: toMinorUnits(sum(refunds.filter((row) => row.id !== refundId)), currency),
    recorded_before: toMinorUnits(sum(recordedBefore(refunds, refundId)), currency),
  }
}

/** What Medusa records as captured and refunded on a payment (minor units); null for an unknown payment. */
export async function readPaymentBooks(paymentId: string): Promise<{ captured: number; refunded: number } | null> {
  const [payment] = await paymentModule().listPayments({ id: paymentId }, { select: ["id", "currency_code"], relations: ["captures", "refunds"] })
  if (!payment) return null
  return {
    captured: toMinorUnits(sum(payment.captures as unknown as AmountRow[]), payment.currency_code),
    refunded: toMinorUnits(sum(payment.refunds as unknown as AmountRow[]), payment.currency_code),
  }
}
