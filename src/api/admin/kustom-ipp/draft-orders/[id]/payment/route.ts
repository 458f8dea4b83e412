import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { resolvePayInStoreProvider } from "../../../../../../lib/in-store-payments/providers"
import { sendDraftOrderToDeviceWorkflow } from "../../../../../../workflows"
import type { SendToDeviceBody } from "../../../validators"
import { assertDeviceRegistered, kustomModule } from "../../../helpers"
import { assertDraftOrder, loadDraftOrderPaymentView, type DraftOrderPaymentView } from "../../payment-view"

/**
 * Sends the draft order's payment to a device ("Pay in store"). An order that never was a draft
 * is 404; one that was but is paid or converted is refused by the workflow. The device is looked
 * up first (a safe, retried read), so an unknown device or an unreachable Kustom is reported
 * before anything is pushed anywhere; a payment the clerk is already taking is never replaced
 * (the workflow refuses it).
 */
export const POST = async (req: AuthenticatedMedusaRequest<SendToDeviceBody>, res: MedusaResponse<DraftOrderPaymentView>) => {
  await assertDraftOrder(req.scope, req.params.id)
  const providerId = await resolvePayInStoreProvider(req.scope, req.validatedBody.provider_id)
  const deviceId = req.validatedBody.device_id
  await assertDeviceRegistered(req.scope, deviceId, "device_id")
  await sendDraftOrderToDeviceWorkflow(req.scope).run({
    input: { order_id: req.params.id, device_id: req.validatedBody.device_id, provider_id: providerId },
  })
  await kustomModule(req.scope).settings.rememberDevice(req.validatedBody.device_id)
  res.status(200).json(await loadDraftOrderPaymentView(req.scope, req.params.id))
}

/** The draft order's in-store payment, live from Kustom while it is on the device. */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse<DraftOrderPaymentView>) => {
  res.status(200).json(await loadDraftOrderPaymentView(req.scope, req.params.id))
}
