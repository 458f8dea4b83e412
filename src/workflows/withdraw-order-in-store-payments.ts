import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
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
      // Ended meanwhile (paid, cancelled, expired): the callback or the sweep decides.
      if (!(error instanceof KustomIppApiError && error.status === 409)) throw error
    }
  }
  return new StepResponse(withdrawn)
})

/** An order cancelled in Medusa must not be paid on a device afterwards. */
export const withdrawOrderInStorePaymentsWorkflow = createWorkflow(withdrawOrderInStorePaymentsWorkflowId, (input: { order_id: string }) => {
  return new WorkflowResponse(withdrawOpenSessionsStep(input))
})
