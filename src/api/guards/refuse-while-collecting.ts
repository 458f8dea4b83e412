import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { cartPaymentSessions, isCollecting } from "../../lib/in-store-payments/collecting"
import { clerkIsCollecting } from "../../providers/pay-in-store/errors"

/**
 * Refuses a change to a cart (items, address, shipping, promotions…) while a clerk is taking its
 * payment on a device: Medusa would otherwise drop the payment session and the customer could be
 * charged for a sale that no longer exists. Answers 400 (not allowed) with a message saying what to do.
 */
export async function refuseWhileCollecting(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) {
  try {
    const collecting = await isCollecting(req.scope, await cartPaymentSessions(req.scope, req.params.id))
    next(collecting ? clerkIsCollecting() : undefined)
  } catch (error) {
    next(error)
  }
}

