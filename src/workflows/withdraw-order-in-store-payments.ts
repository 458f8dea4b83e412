import { ContainerRegistrationKeys, MathBN, Modules } from "@medusajs/framework/utils"
import type { BigNumberInput, ILockingModule, RemoteQueryFunction } from "@medusajs/framework/types"
import { createStep, createWorkflow, StepResponse, transform, when, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { cancelPaymentStep, refundPaymentsWorkflow } from "@medusajs/medusa/core-flows"
import { KustomIppApiError } from "../lib/kustom-ipp"
import { orderPaymentSessions } from "../lib/in-store-payments/collecting"
import { KUSTOM_IPP_MODULE } from "../modules/kustom-ipp"
import type KustomIppModuleService from "../modules/kustom-ipp/service"
import { PROVIDER_ID_PREFIX, readPaymentData } from "../providers/pay-in-store/payment-data"

export const withdrawOrderInStorePaymentsWorkflowId = "kustom-ipp-withdraw-order-in-store-payments"

/**
 * Takes every in-store payment of the order still open on a device off it. Kustom's own
 * `cancelled` callback then records each on its payment session, as for a cancel on the device.
 */
const withdrawOpenSessionsStep = createStep("kustom-ipp-withdraw-open-sessions", async (input: { order_id: string }, { container }) => {
  const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  const open = (await orderPaymentSessions(container, input.order_id))
    .filter((session) => session.provider_id?.startsWith(PROVIDER_ID_PREFIX) && session.status === "pending")
    .map((session) => readPaymentData(session.data).kustom_session_id)
    .filter((id): id is string => Boolean(id))
  const withdrawn: string[] = []
  for (const kustomSessionId of open) {
    try {
      await kustomIpp.client.sessions.cancel(kustomSessionId)
      withdrawn.push(kustomSessionId)
    } catch (error) {
      // Ended meanwhile (paid, cancelled, expired): a payment recorded since is settled below.
      if (!(error instanceof KustomIppApiError && error.status === 409)) throw error
    }
  }
  return new StepResponse(withdrawn)
})

/**
 * Waits for a completion of the order's sale that is still running: Medusa's cart completion
 * (and the plugin's, for a tap) creates the order first and records the payment on it last,
 * holding the sale's lock (the cart's id, or the draft order's) throughout. Medusa's cancel
 * does not wait for it, so a payment can be recorded just after the order was cancelled.
 */
const waitForSaleCompletionStep = createStep("kustom-ipp-wait-for-sale-completion", async (input: { order_id: string }, { container }) => {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order_cart", fields: ["cart_id"], filters: { order_id: input.order_id } })
  const saleKey = (data[0] as { cart_id?: string } | undefined)?.cart_id ?? input.order_id
  await container.resolve<ILockingModule>(Modules.LOCKING).execute(saleKey, async () => undefined, { timeout: 60 })
  return new StepResponse(undefined)
})

type PaymentRow = {
  id: string
  provider_id: string
  canceled_at: string | Date | null
  captures?: { raw_amount?: BigNumberInput; amount: BigNumberInput }[] | null
  refunds?: { raw_amount?: BigNumberInput; amount: BigNumberInput }[] | null
}

const total = (rows: PaymentRow["captures"]) =>
  (rows ?? []).reduce((sum, row) => MathBN.add(sum, row.raw_amount ?? row.amount), MathBN.convert(0))

/**
 * In-store payments of the cancelled order that Medusa's cancel did not settle, because they
 * were recorded after it: what was captured and not refunded is to be refunded, an
 * authorization nothing was captured from is to be cancelled, as Medusa's cancel does.
 */
const findUnsettledPaymentsStep = createStep("kustom-ipp-find-unsettled-in-store-payments", async (input: { order_id: string }, { container }) => {
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
      "payment_collections.payments.canceled_at",
      "payment_collections.payments.captures.raw_amount",
      "payment_collections.payments.refunds.raw_amount",
    ],
    filters: { id: input.order_id },
  })
  const unsettled = { refunds: [] as { payment_id: string; amount: BigNumberInput; note: string }[], cancel: [] as string[] }
  if (!order || order.status !== "canceled") return new StepResponse(unsettled)
  const payments = ((order as { payment_collections?: ({ payments?: PaymentRow[] } | null)[] }).payment_collections ?? [])
    .flatMap((collection) => collection?.payments ?? [])
    .filter((payment) => payment?.provider_id?.startsWith(PROVIDER_ID_PREFIX))
  for (const payment of payments) {
    const due = MathBN.sub(total(payment.captures), total(payment.refunds))
    if (MathBN.gt(due, 0)) {
      unsettled.refunds.push({ payment_id: payment.id, amount: due, note: "Recorded after the order was cancelled" })
    } else if (!payment.captures?.length && !payment.canceled_at) {
      unsettled.cancel.push(payment.id)
    }
  }
  return new StepResponse(unsettled)
})

/**
 * An order cancelled in Medusa must not keep in-store money: a payment still on a device is
 * taken off it, and one recorded on the order only after it was cancelled (the order was
 * cancelled while its cart was being completed) is refunded or released, through Medusa's own
 * refund and payment cancel, so that Medusa's books and Kustom's agree.
 */
export const withdrawOrderInStorePaymentsWorkflow = createWorkflow(withdrawOrderInStorePaymentsWorkflowId, (input: { order_id: string }) => {
  const withdrawn = withdrawOpenSessionsStep(input)
  waitForSaleCompletionStep(input)
  const unsettled = findUnsettledPaymentsStep(input)
  when("kustom-ipp-refund-late-payments", { unsettled }, ({ unsettled }) => unsettled.refunds.length > 0).then(() => {
    refundPaymentsWorkflow.runAsStep({ input: transform({ unsettled }, ({ unsettled }) => unsettled.refunds) })
  })
  when("kustom-ipp-cancel-late-payments", { unsettled }, ({ unsettled }) => unsettled.cancel.length > 0).then(() => {
    cancelPaymentStep({ paymentIds: transform({ unsettled }, ({ unsettled }) => unsettled.cancel) })
  })
  return new WorkflowResponse({ withdrawn, unsettled })
})
