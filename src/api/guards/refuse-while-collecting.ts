import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import {
  cartPaymentCollectionId,
  collectionPaymentSessions,
  orderPaymentState,
  refuseWhileOnDevice,
  withdrawWaitingSessions,
} from "../../lib/in-store-payments/collecting"
import { passOnGuardError } from "./guard-error"
import { holdCartPaymentLock, holdPaymentChangeLock } from "./payment-change-lock"


/**
 * Before a change to a cart (items, address, shipping, promotions…): a payment waiting on a
 * device is taken off it first, and a payment the clerk is taking refuses the change (400, not
 * allowed, saying what to do). Medusa would otherwise drop the payment session itself, and when
 * Kustom does not answer it fails half-way, with the session still payable on the device.
 */
export async function refuseWhileCollecting(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
  try {
    await holdCartPaymentLock(req, res, req.params.id)
    const paymentCollectionId = await cartPaymentCollectionId(req.scope, req.params.id)
    if (paymentCollectionId) {
      await holdPaymentChangeLock(req, res, paymentCollectionId)
      await withdrawWaitingSessions(req.scope, await collectionPaymentSessions(req.scope, paymentCollectionId))
    }
    next()
  } catch (error) {
    passOnGuardError(error, res, next)
  }
}

/**
 * Refuses a change to a draft order (an update, an edit started, requested or confirmed, through
 * the draft order routes or Medusa's order edit routes; or deleting it) while its payment is on a
 * device: the customer would pay the old total, or pay for a sale that no longer exists. The
 * admin cancels the payment first ("Pay in store" → Cancel payment). Converting it to an order
 * stays allowed: the payment taken afterwards is recorded on the order. `orderIdOf` says where
 * the request names the order (a path parameter, or `order_id` in the body).
 */
export function refuseDraftChangeWhileOnDevice(orderIdOf: (req: MedusaRequest) => unknown = (req) => req.params.id) {
  return async (req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) => {
    try {
      const orderId = await orderIdOf(req)
      // Anything else is for Medusa's own validation to refuse.
      if (typeof orderId === "string" && orderId) {
        const { isDraftOrder, sessions } = await orderPaymentState(req.scope, orderId)
        await refuseWhileOnDevice(req.scope, sessions, { converted: !isDraftOrder })
      }
      next()
    } catch (error) {
      next(error)
    }
  }
}
