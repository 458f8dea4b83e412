import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { loadInStorePayment, type InStorePaymentStatus } from "../../lib/in-store-payments/status"

/**
 * Why a cart whose only payment is in store cannot be completed now, or null to let Medusa try.
 * Medusa would answer "Session: payses_… was not authorized with the provider" (and use up an
 * order number) for a payment still on the device or one that ended unpaid.
 */
export function unpaidInStorePaymentMessage(status: InStorePaymentStatus): string | null {
  const payment = status.payment
  if (status.sale.completed || !payment || !payment.live || payment.status === "authorized" || payment.status === "captured") return null
  if (payment.problem) return `This cart's in-store payment needs attention, so it does not become an order: ${payment.problem}`
  const nothingDone = "Nothing was done."
  switch (payment.kustom_status) {
    case "CREATED":
      return `The payment is waiting on the device: once the card is accepted there, the cart becomes an order by itself (GET /store/kustom-ipp/carts/${status.sale.id}/payment says when). ${nothingDone}`
    case "ACTIVE": {
      const declined = payment.failure_reason ? ` (the last card was declined: ${payment.failure_reason})` : ""
      return `The clerk is taking this payment on the device${declined}: once a card is accepted there, the cart becomes an order by itself. ${nothingDone}`
    }
    case "CANCELLED":
    case "EXPIRED":
    case "FAILED":
      return `The payment on the device ended unpaid (${payment.kustom_status.toLowerCase()}): send it again (a new payment session) or choose another way to pay. ${nothingDone}`
    default:
      return null
  }
}

/**
 * Before Medusa completes a cart (`POST /store/carts/:id/complete`): a cart paid in store only
 * becomes an order once the device took the money, so a storefront completing it early is told
 * where its payment stands (400 `not_allowed`). A cart with another provider's payment session,
 * and any state that can be paid (FINALIZED) or that Kustom cannot be asked about, go on to Medusa.
 */
export async function explainUnpaidInStorePayment(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) {
  try {
    const found = await loadInStorePayment(req.scope, { kind: "cart", id: req.params.id })
    const message = found && !found.otherProvider ? unpaidInStorePaymentMessage(found.status) : null
    next(message ? new MedusaError(MedusaError.Types.NOT_ALLOWED, message) : undefined)
  } catch {
    // Only an explanation: what cannot be looked up is left to Medusa's own completion.
    next()
  }
}
