import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { loadInStorePaymentStatus } from "../../../../../../lib/in-store-payments/status"

/**
 * For a storefront or POS front end waiting on the clerk's phone: the cart's in-store payment
 * (live from Kustom while it is on the device) and, once paid, the order it became.
 */
export const GET = async (req: MedusaRequest, res: MedusaResponse) => {
  const status = await loadInStorePaymentStatus(req.scope, { kind: "cart", id: req.params.id })
  if (!status) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Cart ${req.params.id} was not found`)
  res.status(200).json(status)
}
