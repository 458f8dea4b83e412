import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { resolvePayInStoreProvider } from "../../../../../../lib/in-store-payments/providers"
import { sendDraftOrderToDeviceWorkflow } from "../../../../../../workflows"
import type { SendToDeviceBody } from "../../../validators"
import { kustomCall, kustomModule } from "../../../helpers"
import { assertDraftOrder, loadDraftOrderPaymentView, type DraftOrderPaymentView } from "../../payment-view"

/**
 * Sends the draft order's payment to a device ("Pay in store"). An order that never was a draft
 * is 404; one that was but is paid or converted is refused by the workflow. The device is looked
 * up first (a safe, retried read), so a removed device or an unreachable Kustom is reported
 * before anything is pushed anywhere.
 */
export const POST = async (req: AuthenticatedMedusaRequest<SendToDeviceBody>, res: MedusaResponse<DraftOrderPaymentView>) => {
  await assertDraftOrder(req.scope, req.params.id)
  const providerId = await resolvePayInStoreProvider(req.scope, req.validatedBody.provider_id)
  const deviceId = req.validatedBody.device_id
  await kustomCall("checking the device", () => kustomModule(req.scope).client.devices.get(deviceId)).catch((error) => {
    if (error instanceof MedusaError && error.type === MedusaError.Types.NOT_FOUND) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        "This device is no longer registered with Kustom (it was removed). Choose another device, or register the phone again in Settings → In-Person Payments."
      )
    }
    throw error
  })
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
