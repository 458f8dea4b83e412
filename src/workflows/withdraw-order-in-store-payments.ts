import { randomUUID } from "node:crypto"
import { ContainerRegistrationKeys, MathBN, Modules } from "@medusajs/framework/utils"
import type { BigNumberInput, ILockingModule, IOrderModuleService, IPaymentModuleService, Logger, MedusaContainer, RemoteQueryFunction } from "@medusajs/framework/types"
import { createStep, createWorkflow, StepResponse, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { KustomIppApiError } from "../lib/kustom-ipp"
import { orderPaymentSessions } from "../lib/in-store-payments/collecting"
import { refundAllKustomHolds, totalOf as total, unsettledMoney, type SettlementRow } from "../lib/in-store-payments/settlement"
import { formatMinorUnits } from "../lib/session-mapping/minor-units"
import { KUSTOM_IPP_MODULE } from "../modules/kustom-ipp"
import type KustomIppModuleService from "../modules/kustom-ipp/service"
import { PROVIDER_ID_PREFIX, readPaymentData } from "../providers/pay-in-store/payment-data"

export const withdrawOrderInStorePaymentsWorkflowId = "kustom-ipp-withdraw-order-in-store-payments"

/** How long settling waits for a completion of the order's sale that is still running. */
const COMPLETION_WAIT_SECONDS = 120
/** How long settling may hold the sale's lock (refunds through Kustom with their retries). */
const SETTLE_LOCK_SECONDS = 300

/**
 * Takes every in-store payment of the order still open on a device off it. Kustom's own
 * `cancelled` callback then records each on its payment session, as for a cancel on the device.
 * One that cannot be taken off now (Kustom down) is logged, and the run fails at its end, so that
 * the `settle-cancelled-order-payments` job tries again; if the clerk takes it meanwhile, it is flagged.
 */
const withdrawOpenSessionsStep = createStep("kustom-ipp-withdraw-open-sessions", async (input: { order_id: string }, { container }) => {
  const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  const sessions = (await orderPaymentSessions(container, input.order_id)).filter((session) => session.provider_id?.startsWith(PROVIDER_ID_PREFIX))
  const open = sessions
    .filter((session) => session.status === "pending")
    .map((session) => readPaymentData(session.data))
    .filter((data) => mayBeOnDevice(data))
    .map((data) => data.kustom_session_id as string)
  const withdrawn: string[] = []
  const left: string[] = []
  for (const kustomSessionId of open) {
    try {
      await kustomIpp.client.sessions.cancel(kustomSessionId)
      withdrawn.push(kustomSessionId)
    } catch (error) {
      // Ended meanwhile (paid, cancelled, expired): a payment recorded since is settled below.
      if (error instanceof KustomIppApiError && error.status === 409) continue
      left.push(kustomSessionId)
      container
        .resolve<Logger>(ContainerRegistrationKeys.LOGGER)
        .error(`Kustom In-Person Payments: could not take Kustom session ${kustomSessionId} of cancelled order ${input.order_id} off its device; tried again within minutes: ${(error as Error).message}`)
    }
  }
  return new StepResponse({ withdrawn, left, has_in_store_payment: sessions.length > 0 })
})

/** A payment session whose Kustom session may still be payable on a device (as last recorded). */
export function mayBeOnDevice(data: { kustom_session_id?: string | null; kustom_status?: string | null }): boolean {
  return Boolean(data.kustom_session_id) && (!data.kustom_status || data.kustom_status === "CREATED" || data.kustom_status === "ACTIVE")
}

/** Fails the run when a payment could not be taken off its device, after the rest was settled. */
const failIfLeftOnDeviceStep = createStep("kustom-ipp-fail-if-left-on-device", async (input: { order_id: string; left: string[] }) => {
  if (input.left.length) throw new Error(`Kustom sessions ${input.left.join(", ")} of cancelled order ${input.order_id} are still on their device`)
  return new StepResponse(undefined)
})

/**
 * Runs `settle` holding the order's sale lock (the cart's id, or the draft order's), waiting
 * for it first: Medusa's cart completion (and the plugin's, for a tap) creates the order first
 * and records the payment on it last, holding that lock throughout, and Medusa's cancel does
 * not wait for it. Holding it also keeps two settling runs (the subscriber and the sweep, or a
 * redelivered event) from refunding at once. Taken with `acquire`, as those workflows take it,
 * so that every locking provider sees the same lock.
 */
async function withSaleLock<T>(container: Pick<MedusaContainer, "resolve">, orderId: string, settle: () => Promise<T>): Promise<T> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order_cart", fields: ["cart_id"], filters: { order_id: orderId } })
  const saleKey = (data[0] as { cart_id?: string } | undefined)?.cart_id ?? orderId
  const locking = container.resolve<ILockingModule>(Modules.LOCKING)
  const ownerId = `kustom-ipp-settle-${randomUUID()}`
  const deadline = Date.now() + COMPLETION_WAIT_SECONDS * 1000
  for (;;) {
    try {
      await locking.acquire(saleKey, { ownerId, expire: SETTLE_LOCK_SECONDS })
      break
    } catch (error) {
      if (Date.now() >= deadline) throw new Error(`the sale of order ${orderId} stayed locked for ${COMPLETION_WAIT_SECONDS} s (${(error as Error).message})`)
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
  }
  try {
    return await settle()
  } finally {
    await locking.release(saleKey, { ownerId }).catch(() => undefined)
  }
}

type PaymentRow = SettlementRow & { id: string; provider_id: string; currency_code: string; data?: Record<string, unknown> | null }

/** What settling a cancelled order's in-store payments did. */
export type SettledInStorePayments = { refunded: string[]; released: string[]; failed: string[] }

/**
 * In-store payments recorded on a cancelled order after Medusa's cancel settled its payments
 * (the order was cancelled while its cart was being completed): what was captured and not
 * refunded is refunded, an authorization nothing was captured from is cancelled, as Medusa's
 * cancel does, and the order's transactions record each refund that went through. A failure is
 * logged and fails the run, so that the sweep tries again; what succeeded stays done.
 */
const settleLatePaymentsStep = createStep(
  "kustom-ipp-settle-late-in-store-payments",
  async (input: { order_id: string; has_in_store_payment: boolean }, { container }) => {
    if (!input.has_in_store_payment) return new StepResponse<SettledInStorePayments>({ refunded: [], released: [], failed: [] })
    const settled = await withSaleLock(container, input.order_id, () => settleOrder(container, input.order_id))
    if (settled.failed.length) throw new Error(`in-store payments ${settled.failed.join(", ")} of cancelled order ${input.order_id} are not settled yet`)
    return new StepResponse(settled)
  }
)

async function settleOrder(container: Pick<MedusaContainer, "resolve">, orderId: string): Promise<SettledInStorePayments> {
  const settled: SettledInStorePayments = { refunded: [], released: [], failed: [] }
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const {
    data: [order],
  } = await query.graph({
    entity: "order",
    fields: [
      "id",
      "status",
      "payment_collections.payments.id",
      "payment_collections.payments.provider_id",
      "payment_collections.payments.currency_code",
      "payment_collections.payments.data",
      "payment_collections.payments.canceled_at",
      "payment_collections.payments.captures.raw_amount",
      "payment_collections.payments.refunds.raw_amount",
    ],
    filters: { id: orderId },
  })
  if (!order || order.status !== "canceled") return settled
  const payments = ((order as { payment_collections?: ({ payments?: PaymentRow[] } | null)[] }).payment_collections ?? [])
    .flatMap((collection) => collection?.payments ?? [])
    .filter((payment) => payment?.provider_id?.startsWith(PROVIDER_ID_PREFIX))
  const paymentModule = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  for (const payment of payments) {
    const unsettled = unsettledMoney(payment)
    if (!unsettled) continue
    try {
      if ("refund" in unsettled) {
        await paymentModule.refundPayment({ payment_id: payment.id, amount: unsettled.refund, note: "Order cancelled in Medusa" })
        // As Medusa's refund workflow does, so that the order's summary shows it; but only what
        // no transaction shows yet: when the provider failed during Medusa's own cancel, Medusa
        // recorded no refund and still added the refund's transaction.
        const orders = container.resolve<IOrderModuleService>(Modules.ORDER)
        const shown = (await orders.listOrderTransactions({ order_id: orderId, reference: "refund", reference_id: payment.id })).reduce(
          (sum, transaction) => MathBN.add(sum, MathBN.mult(transaction.amount as BigNumberInput, -1)),
          MathBN.convert(0)
        )
        const missing = MathBN.sub(MathBN.add(total(payment.refunds), unsettled.refund), shown)
        if (MathBN.gt(missing, 0)) {
          await orders.addOrderTransactions({
            order_id: orderId,
            amount: MathBN.mult(MathBN.min(missing, unsettled.refund), -1),
            currency_code: payment.currency_code,
            reference: "refund",
            reference_id: payment.id,
          })
        }
        settled.refunded.push(payment.id)
      } else {
        await paymentModule.cancelPayment(payment.id)
        settled.released.push(payment.id)
      }
    } catch (error) {
      settled.failed.push(payment.id)
      logger.error(
        `Kustom In-Person Payments: in-store payment ${payment.id} of cancelled order ${orderId} could not be ` +
          `${"refund" in unsettled ? "refunded" : "released"}; the sweep tries again: ${(error as Error).message}`
      )
    }
  }
  for (const payment of payments) {
    if (settled.failed.includes(payment.id)) continue
    try {
      if (await refundWhatMedusaDidNotRecord(container, payment)) settled.refunded.push(payment.id)
    } catch (error) {
      settled.failed.push(payment.id)
      logger.error(`Kustom In-Person Payments: could not check what Kustom still holds of in-store payment ${payment.id} of cancelled order ${orderId}; tried again: ${(error as Error).message}`)
    }
  }
  return settled
}

/**
 * Once Medusa's books show a cancelled order's payment settled, Kustom must hold none of its
 * captured money either. It can hold more than Medusa recorded when Kustom's answer to a
 * capture was lost and the capture was not done again before the cancel: Medusa refunds only
 * what it recorded, and Medusa cannot record a refund beyond that. That money is refunded in
 * Kustom directly, as the provider's cancel refunds what Medusa never recorded. (An authorization's rest after a partial capture cannot be released through
 * Kustom's API; it lapses.)
 */
async function refundWhatMedusaDidNotRecord(container: Pick<MedusaContainer, "resolve">, payment: PaymentRow): Promise<boolean> {
  const kustomOrderId = readPaymentData(payment.data).kustom_order_id
  if (!kustomOrderId) return false
  const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  const kustomOrder = await kustomIpp.client.orders.get(kustomOrderId)
  const refunded = await refundAllKustomHolds(kustomIpp.client, kustomOrderId, kustomOrder)
  if (!refunded) return false
  container
    .resolve<Logger>(ContainerRegistrationKeys.LOGGER)
    .warn(
      `Kustom In-Person Payments: refunded ${formatMinorUnits(refunded, kustomOrder.purchase_currency)} in Kustom (order ${kustomOrderId}) ` +
        `that in-store payment ${payment.id} of a cancelled order had captured without Medusa recording it (an answer that was lost)`
    )
  return true
}

/**
 * An order cancelled in Medusa must not keep in-store money: a payment still on a device is
 * taken off it, and one recorded on the order only after it was cancelled (the order was
 * cancelled while its cart was being completed) is refunded or released, so that Medusa's books
 * and Kustom's agree. Run on `order.canceled`, and by the sweep for cancelled orders left with
 * such a payment. Safe to run again: a settled order has nothing left to do.
 */
export const withdrawOrderInStorePaymentsWorkflow = createWorkflow(withdrawOrderInStorePaymentsWorkflowId, (input: { order_id: string }) => {
  const withdrawal = withdrawOpenSessionsStep(input)
  const settled = settleLatePaymentsStep(
    transform({ input, withdrawal }, ({ input, withdrawal }) => ({ order_id: input.order_id, has_in_store_payment: withdrawal.has_in_store_payment }))
  )
  failIfLeftOnDeviceStep(transform({ input, withdrawal }, ({ input, withdrawal }) => ({ order_id: input.order_id, left: withdrawal.left })))
  return new WorkflowResponse({ withdrawn: withdrawal.withdrawn, settled })
})
