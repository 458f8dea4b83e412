/**
 * The safety net for in-store money on cancelled orders: a payment recorded on an order after
 * Medusa cancelled it (the order was cancelled while its cart was being completed) is refunded
 * or released, and a payment still on a device is taken off it, by the `order.canceled`
 * subscriber. If that run failed (Kustom down, or a completion that took too long) or never
 * waited for the completion (it was cancelled before the order was even linked to its payment),
 * this job finds such payments among recent ones and settles them through the same workflow.
 * Safe on several instances (one run at a time).
 */
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import type { IPaymentModuleService, Logger, MedusaContainer, RemoteQueryFunction } from "@medusajs/framework/types"
import { unsettledMoney, type SettlementRow } from "../lib/in-store-payments/settlement"
import { withRunLock } from "../lib/locking"
import { PROVIDER_ID_PREFIX, readPaymentData } from "../providers/pay-in-store/payment-data"
import { mayBeOnDevice, withdrawOrderInStorePaymentsWorkflow } from "../workflows/withdraw-order-in-store-payments"

const RUN_LOCK = "kustom-ipp:settle-cancelled-orders"

export type SettleReport = { orders: string[]; failed: string[] }

type PaymentRow = SettlementRow & {
  id: string
  payment_collection?: { order?: { id: string; status: string } | null } | null
}

type SessionRow = { id: string; data: Record<string, unknown> | null; payment_collection?: PaymentRow["payment_collection"] }

export async function settleCancelledOrderPayments(
  container: MedusaContainer,
  options: {
    /** Payments younger than this are left to the `order.canceled` subscriber. Default 2 minutes. */
    minAgeMs?: number
    /** How far back to look. Default 2 days. */
    sinceMs?: number
    limit?: number
    now?: Date
  } = {}
): Promise<SettleReport | undefined> {
  const now = options.now ?? new Date()
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  return withRunLock(container, RUN_LOCK, 300, async () => {
    const providers = (await container.resolve<IPaymentModuleService>(Modules.PAYMENT).listPaymentProviders({}, { select: ["id"] }))
      .map((provider) => provider.id)
      .filter((id) => id.startsWith(PROVIDER_ID_PREFIX))
    const report: SettleReport = { orders: [], failed: [] }
    if (!providers.length) return report
    const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
    // Recent payments only: the race this covers records a payment within a second of the cancel.
    const { data } = await query.graph({
      entity: "payment",
      fields: ["id", "canceled_at", "captures.raw_amount", "refunds.raw_amount", "payment_collection.order.id", "payment_collection.order.status"],
      filters: {
        provider_id: providers,
        created_at: {
          $gte: new Date(now.getTime() - (options.sinceMs ?? 2 * 86_400_000)),
          $lte: new Date(now.getTime() - (options.minAgeMs ?? 120_000)),
        },
      },
      pagination: { take: options.limit ?? 200, order: { created_at: "DESC" } },
    })
    const orderIds = new Set<string>()
    for (const payment of data as PaymentRow[]) {
      const order = payment.payment_collection?.order
      if (order?.status === "canceled" && unsettledMoney(payment)) orderIds.add(order.id)
    }
    // And payments still on a device for an order cancelled meanwhile (a converted draft order),
    // whose withdrawal failed: Kustom was down when the order was cancelled.
    const { data: sessions } = await query.graph({
      entity: "payment_session",
      fields: ["id", "data", "payment_collection.order.id", "payment_collection.order.status"],
      filters: {
        provider_id: providers,
        status: "pending",
        created_at: { $gte: new Date(now.getTime() - (options.sinceMs ?? 2 * 86_400_000)) },
      },
      pagination: { take: options.limit ?? 200, order: { created_at: "DESC" } },
    })
    for (const session of sessions as SessionRow[]) {
      const order = session.payment_collection?.order
      if (order?.status === "canceled" && mayBeOnDevice(readPaymentData(session.data))) orderIds.add(order.id)
    }
    for (const orderId of orderIds) {
      try {
        await withdrawOrderInStorePaymentsWorkflow(container).run({ input: { order_id: orderId } })
        report.orders.push(orderId)
      } catch (error) {
        report.failed.push(orderId)
        logger.warn(`Kustom In-Person Payments: could not settle the in-store payments of cancelled order ${orderId}: ${(error as Error).message}`)
      }
    }
    return report
  })
}

export default async function settleCancelledOrderPaymentsJob(container: MedusaContainer): Promise<void> {
  await settleCancelledOrderPayments(container)
}

export const config = {
  name: "kustom-ipp-settle-cancelled-order-payments",
  schedule: "* * * * *",
}
