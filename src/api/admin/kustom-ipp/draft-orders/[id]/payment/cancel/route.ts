import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { loadInStorePaymentStatus } from "../../../../../../../lib/in-store-payments/status"
import { processKustomIppSessionWorkflow } from "../../../../../../../workflows"
import { kustomCall, kustomModule } from "../../../../helpers"
import { draftOrderMissing, loadDraftOrderPaymentView, type DraftOrderPaymentView } from "../../../payment-view"

/**
 * Takes the payment off the device: cancels the open Kustom session of the draft order's latest
 * "Pay in store" payment, then records the outcome at once (the callback that follows finds it
 * already recorded).
 */
export const POST = async (req: AuthenticatedMedusaRequest, res: MedusaResponse<DraftOrderPaymentView>) => {
  const status = await loadInStorePaymentStatus(req.scope, { kind: "draft_order", id: req.params.id })
  if (!status) throw await draftOrderMissing(req.scope, req.params.id)
  const sessionId = status.payment?.kustom_session_id
  if (!sessionId) {
    throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "No payment has been sent to a device for this draft order.")
  }
  const kustom = kustomModule(req.scope)
  try {
    await kustomCall("cancelling the payment on the device", () => kustom.client.sessions.cancel(sessionId))
  } catch (error) {
    if (!(error instanceof MedusaError) || error.type !== MedusaError.Types.NOT_ALLOWED) throw error
    // Refused: the session already ended. Say how, in words a person can act on.
    const session = await kustomCall("reading the payment", () => kustom.client.sessions.get(sessionId))
    throw new MedusaError(
      MedusaError.Types.NOT_ALLOWED,
      session.status === "FINALIZED"
        ? "This payment was already made on the device, so it can no longer be cancelled. Refund it from the order instead."
        : `This payment is no longer on the device (it is ${session.status.toLowerCase()}). Send it again if the customer still wants to pay.`
    )
  }
  await processKustomIppSessionWorkflow(req.scope).run({ input: { kustom_session_id: sessionId } })
  res.status(200).json(await loadDraftOrderPaymentView(req.scope, req.params.id))
}
