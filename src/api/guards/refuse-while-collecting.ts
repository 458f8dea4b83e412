import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { RemoteQueryFunction } from "@medusajs/framework/types"
import { clerkIsCollecting } from "../../providers/pay-in-store/errors"
import { PROVIDER_ID_PREFIX, readPaymentData } from "../../providers/pay-in-store/payment-data"


/**
 * Refuses a change to a cart (items, address, shipping, promotions…) while a clerk is taking its
 * payment on a device: Medusa would otherwise drop the payment session and the customer could be
 * charged for a sale that no longer exists. Answers 400 (not allowed) with a message saying what to do.
 */
export async function refuseWhileCollecting(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) {
  try {
    const query = req.scope.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
    const {
      data: [cart],
    } = await query.graph({
      entity: "cart",
      fields: ["id", "payment_collection.payment_sessions.provider_id", "payment_collection.payment_sessions.status", "payment_collection.payment_sessions.data"],
      filters: { id: req.params.id },
    })
    const sessions = ((cart as { payment_collection?: { payment_sessions?: { provider_id: string; status: string; data: Record<string, unknown> | null }[] } | null })
      ?.payment_collection?.payment_sessions ?? [])
    const collecting = sessions.some(
      (session) => session?.provider_id?.startsWith(PROVIDER_ID_PREFIX) && session.status === "pending" && readPaymentData(session.data).kustom_status === "ACTIVE"
    )
    next(collecting ? clerkIsCollecting() : undefined)
  } catch (error) {
    next(error)
  }
}
