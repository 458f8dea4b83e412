/**
 * Whether a sale's payment is on a device right now: waiting (CREATED) or being taken by a clerk
 * (ACTIVE), as Kustom says live. Anything that would drop the sale's payment session — changing
 * the cart, sending the payment again, choosing another provider — takes a waiting one off the
 * device first, and waits until a clerk who is collecting is done.
 */
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import type { MedusaContainer, RemoteQueryFunction } from "@medusajs/framework/types"
import { KustomIppApiError, type SessionStatus } from "../kustom-ipp"
import { KUSTOM_IPP_MODULE } from "../../modules/kustom-ipp"
import type KustomIppModuleService from "../../modules/kustom-ipp/service"
import { clerkIsCollecting, toMedusaError } from "../../providers/pay-in-store/errors"
import { PROVIDER_ID_PREFIX, readPaymentData } from "../../providers/pay-in-store/payment-data"
import type { PaymentSessionRow as SalePaymentSessionRow } from "../sales"

/** What the checks here read of a payment session. */
export type PaymentSessionRow = Pick<SalePaymentSessionRow, "id" | "provider_id" | "status" | "data">

/** The payment session fields the checks here read, for a query under `prefix` (e.g. `payment_collection.`). */
function collectingFields(prefix: string): string[] {
  return ["id", "provider_id", "status", "data"].map((field) => `${prefix}payment_sessions.${field}`)
}

/** Stored statuses a callback may not have caught up with yet: the session may have become ACTIVE meanwhile. */
const MAY_BE_COLLECTING: ReadonlyArray<SessionStatus | undefined> = [undefined, "CREATED", "ACTIVE"]

/** In-store payment sessions Medusa still counts as pending: their Kustom session may be on a device. */
function pendingInStore(sessions: readonly (PaymentSessionRow | null | undefined)[]): PaymentSessionRow[] {
  return sessions.filter(
    (session): session is PaymentSessionRow => Boolean(session?.provider_id?.startsWith(PROVIDER_ID_PREFIX)) && session?.status === "pending"
  )
}

function justPaid(): MedusaError {
  return new MedusaError(
    MedusaError.Types.NOT_ALLOWED,
    "This payment was just made on the device, and the order is being created from it. Nothing was changed."
  )
}

/**
 * Takes the sessions waiting on a device (CREATED) off it before a change that replaces them
 * (a cart changed, a payment sent again or by other means), so that the change never leaves a
 * payable session behind. Throws, with nothing changed in Medusa, when the clerk is collecting
 * (ACTIVE), when the payment was just made (FINALIZED), or when Kustom cannot be asked or does
 * not take the cancel: Medusa's own removal would then fail half-way (it re-creates what it had
 * removed, and may leave the old session on the device next to a new one).
 */
export async function withdrawWaitingSessions(container: Pick<MedusaContainer, "resolve">, sessions: readonly (PaymentSessionRow | null | undefined)[]): Promise<void> {
  const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  const withdrawing = "taking the waiting payment off the device"
  await Promise.all(
    pendingInStore(sessions).map(async (session) => {
      const data = readPaymentData(session.data)
      if (!data.kustom_session_id || !MAY_BE_COLLECTING.includes(data.kustom_status)) return
      const kustomSessionId = data.kustom_session_id
      const refuseUnlessEnded = (status: SessionStatus) => {
        if (status === "ACTIVE") throw clerkIsCollecting()
        if (status === "FINALIZED") throw justPaid()
        return status
      }
      const liveStatus = () =>
        kustomIpp.client.sessions.get(kustomSessionId).then(
          (live) => live.status,
          (error: unknown) => {
            throw toMedusaError(error, withdrawing)
          }
        )
      if (refuseUnlessEnded(await liveStatus()) !== "CREATED") return
      try {
        await kustomIpp.client.sessions.cancel(kustomSessionId)
      } catch (error) {
        if (!(error instanceof KustomIppApiError && error.status === 409)) throw toMedusaError(error, withdrawing)
        // It moved on meanwhile: the clerk picked it up, it was paid, or it ended.
        refuseUnlessEnded(await liveStatus())
      }
    })
  )
}

/**
 * Refuses a change to a draft order while its payment is on a device (waiting or being
 * collected): the clerk sent it from the admin, and cancels it there before changing the draft.
 * When Kustom cannot be asked, the stored status decides. `converted`: the draft is an order
 * now, which cannot be sent to a device again, so the message says how to collect it instead.
 */
export async function refuseWhileOnDevice(
  container: Pick<MedusaContainer, "resolve">,
  sessions: readonly (PaymentSessionRow | null | undefined)[],
  { converted = false }: { converted?: boolean } = {}
): Promise<void> {
  const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  const statuses = await Promise.all(
    pendingInStore(sessions).map(async (session) => {
      const data = readPaymentData(session.data)
      if (!data.kustom_session_id || !MAY_BE_COLLECTING.includes(data.kustom_status)) return data.kustom_status
      return kustomIpp.client.sessions
        .get(data.kustom_session_id)
        .then((live) => live.status)
        .catch(() => data.kustom_status)
    })
  )
  if (statuses.includes("ACTIVE")) throw clerkIsCollecting()
  if (statuses.includes("FINALIZED")) throw justPaid()
  if (statuses.includes("CREATED")) {
    throw new MedusaError(
      MedusaError.Types.NOT_ALLOWED,
      converted
        ? `This order's payment, sent before its draft was converted, is waiting on a device. Cancel it first ("Cancel payment" under In-store payment on the order's page), then change the order and collect its total with Medusa's payment link, or mark it as paid.`
        : `This draft order's payment is waiting on a device. Cancel it first ("Cancel payment" under Pay in store on its page, or under In-store payment on the order's page once it is converted), then change it and send the payment again.`
    )
  }
}

/** The id of a cart's payment collection (null for a cart without one, or an unknown cart). */
export async function cartPaymentCollectionId(container: Pick<MedusaContainer, "resolve">, cartId: string): Promise<string | null> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "cart_payment_collection", fields: ["payment_collection_id"], filters: { cart_id: cartId } })
  return (data[0] as { payment_collection_id?: string } | undefined)?.payment_collection_id ?? null
}

/** The payment sessions of a payment collection ([] for an unknown one). */
export async function collectionPaymentSessions(container: Pick<MedusaContainer, "resolve">, paymentCollectionId: string): Promise<PaymentSessionRow[]> {
  return (await findCollectionPaymentSessions(container, paymentCollectionId)) ?? []
}

/** The payment sessions of a payment collection, or null when there is no such collection. */
export async function findCollectionPaymentSessions(container: Pick<MedusaContainer, "resolve">, paymentCollectionId: string): Promise<PaymentSessionRow[] | null> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const {
    data: [collection],
  } = await query.graph({ entity: "payment_collection", fields: ["id", ...collectingFields("")], filters: { id: paymentCollectionId } })
  if (!collection) return null
  return ((collection as { payment_sessions?: PaymentSessionRow[] }).payment_sessions ?? []).filter(Boolean)
}

/** The payment sessions of every payment collection of an order (a draft order's, here). */
export async function orderPaymentSessions(container: Pick<MedusaContainer, "resolve">, orderId: string): Promise<PaymentSessionRow[]> {
  return (await orderPaymentState(container, orderId)).sessions
}

/** Whether an order is (still) a draft, and the payment sessions of its payment collections, in one read. */
export async function orderPaymentState(
  container: Pick<MedusaContainer, "resolve">,
  orderId: string
): Promise<{ isDraftOrder: boolean; sessions: PaymentSessionRow[] }> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const {
    data: [order],
  } = await query.graph({ entity: "order", fields: ["id", "is_draft_order", ...collectingFields("payment_collections.")], filters: { id: orderId } })
  const row = order as { is_draft_order?: boolean; payment_collections?: ({ payment_sessions?: PaymentSessionRow[] } | null)[] } | undefined
  const sessions = (row?.payment_collections ?? []).flatMap((collection) => collection?.payment_sessions ?? [])
  return { isDraftOrder: Boolean(row?.is_draft_order), sessions }
}
