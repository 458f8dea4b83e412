import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { cartPaymentSessions, orderPaymentSessions, refuseWhileOnDevice, withdrawWaitingSessions } from "../../lib/in-store-payments/collecting"

/**
 * Kustom could not be asked, or did not take the cancel: 503 with the message (Medusa's own
 * handler would answer 500), so that callers know to try again; anything else goes on to
 * Medusa's handler. Nothing was changed in Medusa either way.
 */
export function passOnGuardError(error: unknown, res: MedusaResponse, next: MedusaNextFunction): void {
  if (error instanceof MedusaError && error.type === MedusaError.Types.UNEXPECTED_STATE) {
    res.status(503).json({ type: "unexpected_state", message: error.message })
    return
  }
  next(error)
}

/**
 * Before a change to a cart (items, address, shipping, promotions…): a payment waiting on a
 * device is taken off it first, and a payment the clerk is taking refuses the change (400, not
 * allowed, saying what to do). Medusa would otherwise drop the payment session itself, and when
 * Kustom does not answer it fails half-way, with the session still payable on the device.
 */
export async function refuseWhileCollecting(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
  try {
    await withdrawWaitingSessions(req.scope, await cartPaymentSessions(req.scope, req.params.id))
    next()
  } catch (error) {
    passOnGuardError(error, res, next)
  }
}

/**
 * Refuses a change to a draft order (an update, or starting, requesting or confirming an edit)
 * while its payment is on a device: the customer would pay the old total. The admin cancels the
 * payment first ("Pay in store" → Cancel payment). Converting it to an order stays allowed: the
 * payment taken afterwards is recorded on the order.
 */
export async function refuseDraftChangeWhileOnDevice(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) {
  try {
    await refuseWhileOnDevice(req.scope, await orderPaymentSessions(req.scope, req.params.id))
    next()
  } catch (error) {
    next(error)
  }
}
