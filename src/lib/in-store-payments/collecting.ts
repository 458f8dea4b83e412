/**
 * Whether a clerk is taking a sale's payment on a device right now (its Kustom session is
 * ACTIVE). Anything that would drop the sale's payment session — changing the cart, sending the
 * payment again, choosing another provider — must wait until the clerk is done.
 */
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { MedusaContainer, RemoteQueryFunction } from "@medusajs/framework/types"
import type { SessionStatus } from "../kustom-ipp"
import { KUSTOM_IPP_MODULE } from "../../modules/kustom-ipp"
import type KustomIppModuleService from "../../modules/kustom-ipp/service"
import { PROVIDER_ID_PREFIX, readPaymentData } from "../../providers/pay-in-store/payment-data"
import type { PaymentSessionRow as SalePaymentSessionRow } from "../sales"

/** What {@link isCollecting} reads of a payment session. */
export type PaymentSessionRow = Pick<SalePaymentSessionRow, "provider_id" | "status" | "data">

/** The payment session fields {@link isCollecting} reads, for a query under `prefix` (e.g. `payment_collection.`). */
function collectingFields(prefix: string): string[] {
  return ["provider_id", "status", "data"].map((field) => `${prefix}payment_sessions.${field}`)
}

/** Stored statuses a callback may not have caught up with yet: the session may have become ACTIVE meanwhile. */
const MAY_BE_COLLECTING: ReadonlyArray<SessionStatus | undefined> = [undefined, "CREATED", "ACTIVE"]

/**
 * True when one of the sessions is an in-store payment the clerk is collecting. Decided by
 * Kustom's live status: the status stored in the payment session is only as recent as the last
 * callback, and the clerk may have chosen a payment method (or cancelled) since. When Kustom
 * cannot be asked, the stored status decides.
 */
export async function isCollecting(container: Pick<MedusaContainer, "resolve">, sessions: readonly (PaymentSessionRow | null | undefined)[]): Promise<boolean> {
  const open = sessions.filter(
    (session): session is PaymentSessionRow =>
      Boolean(session?.provider_id?.startsWith(PROVIDER_ID_PREFIX)) && session?.status === "pending"
  )
  const statuses = await Promise.all(
    open.map(async (session) => {
      const data = readPaymentData(session.data)
      if (!data.kustom_session_id || !MAY_BE_COLLECTING.includes(data.kustom_status)) return data.kustom_status
      const kustomSessionId = data.kustom_session_id
      try {
        const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
        return (await kustomIpp.client.sessions.get(kustomSessionId)).status
      } catch {
        return data.kustom_status
      }
    })
  )
  return statuses.includes("ACTIVE")
}

/** The payment sessions of a cart's payment collection ([] for an unknown cart). */
export async function cartPaymentSessions(container: Pick<MedusaContainer, "resolve">, cartId: string): Promise<PaymentSessionRow[]> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const {
    data: [cart],
  } = await query.graph({ entity: "cart", fields: ["id", ...collectingFields("payment_collection.")], filters: { id: cartId } })
  return (cart as { payment_collection?: { payment_sessions?: PaymentSessionRow[] } | null } | undefined)?.payment_collection?.payment_sessions ?? []
}

/** The payment sessions of a payment collection ([] for an unknown one). */
export async function collectionPaymentSessions(container: Pick<MedusaContainer, "resolve">, paymentCollectionId: string): Promise<PaymentSessionRow[]> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const {
    data: [collection],
  } = await query.graph({ entity: "payment_collection", fields: ["id", ...collectingFields("")], filters: { id: paymentCollectionId } })
  return (collection as { payment_sessions?: PaymentSessionRow[] } | undefined)?.payment_sessions ?? []
}

/** The payment sessions of every payment collection of an order (a draft order's, here). */
export async function orderPaymentSessions(container: Pick<MedusaContainer, "resolve">, orderId: string): Promise<PaymentSessionRow[]> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const {
    data: [order],
  } = await query.graph({ entity: "order", fields: ["id", ...collectingFields("payment_collections.")], filters: { id: orderId } })
  const collections = (order as { payment_collections?: ({ payment_sessions?: PaymentSessionRow[] } | null)[] } | undefined)?.payment_collections ?? []
  return collections.flatMap((collection) => collection?.payment_sessions ?? [])
}
