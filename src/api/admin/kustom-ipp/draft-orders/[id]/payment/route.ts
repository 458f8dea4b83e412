import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { loadInStorePaymentStatus } from "../../../../../../lib/in-store-payments/status"
import { resolvePayInStoreProvider } from "../../../../../../lib/in-store-payments/providers"
import { sendDraftOrderToDeviceWorkflow } from "../../../../../../workflows"
import type { SendToDeviceBody } from "../../../validators"

/** Sends the draft order's payment to a device ("Pay in store"). */
export const POST = async (req: AuthenticatedMedusaRequest<SendToDeviceBody>, res: MedusaResponse) => {
  const providerId = await resolvePayInStoreProvider(req.scope, req.validatedBody.provider_id)
  await sendDraftOrderToDeviceWorkflow(req.scope).run({
    input: { order_id: req.params.id, device_id: req.validatedBody.device_id, provider_id: providerId },
  })
  const status = await loadInStorePaymentStatus(req.scope, { kind: "draft_order", id: req.params.id })
  res.status(200).json(status)
}

/** The draft order's in-store payment, live from Kustom while it is on the device. */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const status = await loadInStorePaymentStatus(req.scope, { kind: "draft_order", id: req.params.id })
  if (!status) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Draft order ${req.params.id} was not found`)
  res.status(200).json(status)
}
