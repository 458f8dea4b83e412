import { MedusaError } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import {
  acquireLockStep,
  createOrUpdateOrderPaymentCollectionWorkflow,
  createPaymentSessionsWorkflow,
  releaseLockStep,
  useQueryGraphStep,
} from "@medusajs/medusa/core-flows"
import { orderPaymentSessions, withdrawWaitingSessions } from "../lib/in-store-payments/collecting"
import { PROVIDER_ID_PREFIX } from "./process-kustom-ipp-session"

export const sendDraftOrderToDeviceWorkflowId = "kustom-ipp-send-draft-order-to-device"

export type SendDraftOrderToDeviceInput = {
  order_id: string
  device_id: string
  /** The registered provider, e.g. `pp_pay-in-store_kustom`. */
  provider_id: string
}

const validateDraftOrderStep = createStep(
  "kustom-ipp-validate-draft-order",
  async (input: { order: { id: string; is_draft_order: boolean; status: string } | undefined; provider_id: string }) => {
    if (!input.order) throw new MedusaError(MedusaError.Types.NOT_FOUND, "Draft order not found")
    if (!input.order.is_draft_order) {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "This order is no longer a draft: it has been paid or converted already.")
    }
    if (!input.provider_id.startsWith(PROVIDER_ID_PREFIX)) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `${input.provider_id} is not a Pay in store provider`)
    }
    return new StepResponse(input.order.id)
  }
)

/**
 * Before anything is changed: refuses to send again while the clerk is taking the draft order's
 * payment (its Kustom session is ACTIVE, live from Kustom), and takes a payment still waiting on
 * a device off it. When Kustom cannot be asked or does not take the cancel, nothing is sent:
 * Medusa's own removal of the old session would fail half-way and could leave it payable next
 * to the new one. Cancelling a payment being collected is the cancel route's job.
 */
const withdrawWaitingPaymentStep = createStep("kustom-ipp-withdraw-waiting-payment", async (input: { order_id: string }, { container }) => {
  await withdrawWaitingSessions(container, await orderPaymentSessions(container, input.order_id))
  return new StepResponse(undefined)
})

/**
 * "Pay in store" for a draft order: makes sure it has a payment collection for what is still
 * to pay, then creates a payment session with the provider, which pushes the sale to the
 * device. Sending again replaces the previous session (Medusa deletes the collection's other
 * sessions, and the provider cancels the one still waiting on a device), unless the clerk is
 * already taking it.
 */
export const sendDraftOrderToDeviceWorkflow = createWorkflow(
  sendDraftOrderToDeviceWorkflowId,
  (input: SendDraftOrderToDeviceInput) => {
    // Two sends at once run one after the other: the second then takes the first's payment off
    // the device before sending its own, so the phone never holds two for one draft order.
    const lockKey = transform({ input }, ({ input }) => `kustom-ipp-payment-change:${input.order_id}`)
    acquireLockStep({ key: lockKey, timeout: 30, ttl: 120 })
    const { data: orders } = useQueryGraphStep({
      entity: "order",
      fields: ["id", "is_draft_order", "status"],
      filters: { id: input.order_id },
    })
    const order = transform({ orders }, ({ orders }) => orders[0])
    validateDraftOrderStep({ order, provider_id: input.provider_id })
    withdrawWaitingPaymentStep({ order_id: input.order_id })

    const collections = createOrUpdateOrderPaymentCollectionWorkflow.runAsStep({
      input: transform({ input }, ({ input }) => ({ order_id: input.order_id })),
    })
    const sessionInput = transform({ collections, input }, ({ collections, input }) => {
      const collection = Array.isArray(collections) ? collections[0] : collections
      if (!collection?.id) {
        throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "Nothing is left to pay on this draft order.")
      }
      return {
        payment_collection_id: collection.id as string,
        provider_id: input.provider_id,
        data: { device_id: input.device_id },
      }
    })
    const paymentSession = createPaymentSessionsWorkflow.runAsStep({ input: sessionInput })
    releaseLockStep({ key: lockKey })
    return new WorkflowResponse(paymentSession)
  }
)
