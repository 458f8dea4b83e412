import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError, PaymentCollectionStatus } from "@medusajs/framework/utils"
import type { RemoteQueryFunction } from "@medusajs/framework/types"
import { PROVIDER_ID_PREFIX } from "../../providers/pay-in-store/payment-data"

type OrderRow = {
  id: string
  display_id?: number | null
  status?: string
  payment_collections?: ({ status?: string; payments?: ({ provider_id?: string; canceled_at?: unknown } | null)[] } | null)[] | null
}

/** What each confirming route names (`:id`) and how to find its order from it. */
export type ChangeKind = "return" | "exchange" | "claim" | "order edit"

const ENTITY_OF: Record<Exclude<ChangeKind, "order edit">, string> = { return: "return", exchange: "order_exchange", claim: "order_claim" }

/** The order a change's confirming route (`:id`) belongs to, or undefined for an unknown one. */
export async function orderIdOfChange(req: MedusaRequest, kind: ChangeKind): Promise<string | undefined> {
  const id = req.params.id
  if (kind === "order edit") return id
  const query = req.scope.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: ENTITY_OF[kind], fields: ["order_id"], filters: { id } })
  return (data[0] as { order_id?: string } | undefined)?.order_id
}

/**
 * Refuses to confirm a return, exchange, claim or order edit of an order whose in-store payment
 * is not captured in full (`capture: false`; Medusa keeps its collection "authorized" until it
 * is) while the order still has something to pay: Medusa then cancels the payment to collect the
 * changed total anew
 * (`createOrUpdateOrderPaymentCollectionWorkflow`), and for a card taken in store that releases
 * the customer's hold for the whole sale, goods handed over included, with nothing left to
 * collect it with at the counter. Capturing the payment first keeps it: Medusa then refunds or
 * asks for the difference instead.
 */
export function refuseChangeOfAuthorizedOrder(kind: ChangeKind) {
  return async (req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) => {
    try {
      const orderId = await orderIdOfChange(req, kind)
      // Anything unknown is for Medusa's own validation to refuse.
      if (!orderId) return next()
      const query = req.scope.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
      const {
        data: [order],
      } = await query.graph({
        entity: "order",
        fields: ["id", "display_id", "status", "payment_collections.status", "payment_collections.payments.provider_id", "payment_collections.payments.canceled_at"],
        filters: { id: orderId },
      })
      const row = order as OrderRow | undefined
      const authorizedInStore = (row?.payment_collections ?? []).some(
        (collection) =>
          (collection?.status === PaymentCollectionStatus.AUTHORIZED || collection?.status === PaymentCollectionStatus.PARTIALLY_AUTHORIZED) &&
          (collection.payments ?? []).some((payment) => payment?.provider_id?.startsWith(PROVIDER_ID_PREFIX) && !payment.canceled_at)
      )
      if (row && row.status !== "canceled" && authorizedInStore) {
        const name = row.display_id ? `Order #${row.display_id}` : `Order ${row.id}`
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `${name}'s in-store payment is not captured in full yet. Confirming this ${kind} would make Medusa cancel that payment ` +
            `to collect the new total anew, which releases what is still authorized on the customer's card. Capture the payment on the order page first, then confirm the ${kind}.`
        )
      }
      next()
    } catch (error) {
      next(error)
    }
  }
}
