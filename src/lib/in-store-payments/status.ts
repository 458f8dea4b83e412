/**
 * The state of a sale's in-store payment, for the admin's live view and the storefront/POS
 * status route: Medusa's payment session, refreshed from Kustom while the session is open.
 */
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { MedusaContainer, RemoteQueryFunction } from "@medusajs/framework/types"
import type { SessionStatus } from "../kustom-ipp"
import { KUSTOM_IPP_MODULE } from "../../modules/kustom-ipp"
import type KustomIppModuleService from "../../modules/kustom-ipp/service"
import { PROVIDER_ID_PREFIX, readPaymentData, type KustomIppPaymentData } from "../../providers/pay-in-store/payment-data"
import type { SaleKind } from "../sales"

export type InStorePaymentStatus = {
  sale: { kind: SaleKind; id: string; completed: boolean; order_id: string | null; display_id: number | null }
  payment: {
    payment_session_id: string
    provider_id: string
    status: string
    device_id: string | null
    kustom_session_id: string | null
    kustom_status: SessionStatus | null
    kustom_order_id: string | null
    failure_reason: string | null
    problem: string | null
    order_amount: number | null
    currency_code: string
    dispatched_at: string | null
    /** False when Kustom could not be asked just now; the status is then the last one recorded. */
    live: boolean
  } | null
}

type SessionRow = { id: string; provider_id: string; status: string; data: Record<string, unknown> | null; currency_code: string; created_at: string | Date }

/**
 * Whether an order is a draft order, or was one: still a draft, or sent to a device as a draft
 * order by this plugin (a payment session of ours records `sale_kind: "draft_order"` for it) and
 * since paid or converted. An order made from a cart never was one, whoever took its payment.
 */
function isOrWasDraftOrder(order: { id: string; is_draft_order?: boolean | null }, sessions: SessionRow[]): boolean {
  if (order.is_draft_order) return true
  return sessions.some((session) => {
    if (!session?.provider_id?.startsWith(PROVIDER_ID_PREFIX)) return false
    const data = readPaymentData(session.data)
    return data.sale_kind === "draft_order" && data.sale_id === order.id
  })
}

const SESSION_FIELDS = ["id", "provider_id", "status", "data", "currency_code", "created_at"]

type DraftOrderSale = { id: string; display_id: number | null; is_draft_order: boolean; sessions: SessionRow[] }

/**
 * The order behind a draft-order sale, with its payment sessions: `"not_found"` when there is
 * no such order, `"not_a_draft"` for an order that never was a draft order.
 */
export async function findDraftOrderSale(container: MedusaContainer, id: string): Promise<DraftOrderSale | "not_found" | "not_a_draft"> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const {
    data: [order],
  } = await query.graph({
    entity: "order",
    fields: ["id", "display_id", "is_draft_order", ...SESSION_FIELDS.map((field) => `payment_collections.payment_sessions.${field}`)],
    filters: { id },
  })
  if (!order) return "not_found"
  const collections = ((order as { payment_collections?: { payment_sessions?: SessionRow[] }[] }).payment_collections ?? [])
  const sessions = collections.flatMap((collection) => collection?.payment_sessions ?? [])
  if (!isOrWasDraftOrder(order, sessions)) return "not_a_draft"
  return { id: order.id, display_id: order.display_id ?? null, is_draft_order: Boolean(order.is_draft_order), sessions }
}

/** The sale's in-store payment; null when there is no such sale (for a draft order: an order that never was a draft). */
export async function loadInStorePaymentStatus(container: MedusaContainer, sale: { kind: SaleKind; id: string }): Promise<InStorePaymentStatus | null> {
  return (await loadInStorePayment(container, sale))?.status ?? null
}

/**
 * The status, with the latest payment session's whole `data` for callers that need more of it,
 * and whether the sale also has another provider's payment session; null as above.
 */
export async function loadInStorePayment(
  container: MedusaContainer,
  sale: { kind: SaleKind; id: string }
): Promise<{ status: InStorePaymentStatus; data: KustomIppPaymentData | null; otherProvider: boolean } | null> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  let sessions: SessionRow[]
  let summary: InStorePaymentStatus["sale"]
  if (sale.kind === "cart") {
    const {
      data: [cart],
    } = await query.graph({
      entity: "cart",
      fields: ["id", "completed_at", "order.id", "order.display_id", ...SESSION_FIELDS.map((field) => `payment_collection.payment_sessions.${field}`)],
      filters: { id: sale.id },
    })
    if (!cart) return null
    const order = (cart as { order?: { id: string; display_id: number } | null }).order ?? null
    sessions = ((cart as { payment_collection?: { payment_sessions?: SessionRow[] } | null }).payment_collection?.payment_sessions ?? []) as SessionRow[]
    summary = { kind: "cart", id: cart.id, completed: Boolean(cart.completed_at || order), order_id: order?.id ?? null, display_id: order?.display_id ?? null }
  } else {
    const order = await findDraftOrderSale(container, sale.id)
    if (typeof order === "string") return null
    sessions = order.sessions
    summary = { kind: "draft_order", id: order.id, completed: !order.is_draft_order, order_id: order.is_draft_order ? null : order.id, display_id: order.display_id }
  }

  const ours = sessions.filter((session) => session?.provider_id?.startsWith(PROVIDER_ID_PREFIX))
  const otherProvider = sessions.some((session) => session?.provider_id && !session.provider_id.startsWith(PROVIDER_ID_PREFIX))
  const latest = ours.sort((a, b) => new Date(b.created_at).getTime() - new Date(a.created_at).getTime())[0]
  if (!latest) return { status: { sale: summary, payment: null }, data: null, otherProvider }

  const data = readPaymentData(latest.data)
  let kustomStatus = data.kustom_status ?? null
  let failureReason = data.failure_reason ?? null
  let live = true
  if (data.kustom_session_id && (kustomStatus === "CREATED" || kustomStatus === "ACTIVE" || kustomStatus === null)) {
    try {
      const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      const session = await kustomIpp.client.sessions.get(data.kustom_session_id)
      kustomStatus = session.status
      // Once paid, an earlier decline is history (the callbacks keep it), not the payment's state.
      failureReason = session.status === "FINALIZED" ? (session.failure_reason ?? null) : (session.failure_reason ?? failureReason)
    } catch {
      live = false
    }
  }
  // Medusa's cart completion creates and links the order first and authorizes (or captures)
  // the payment as its last step. Until this payment is recorded on it the sale is not done:
  // an order cancelled in that moment would miss the payment (Medusa's cancel does not wait for
  // the completion), so a front end must not be told to go on yet.
  const recording = summary.kind === "cart" && summary.completed && latest.status === "pending" && kustomStatus === "FINALIZED"
  const status: InStorePaymentStatus = {
    sale: recording ? { ...summary, completed: false, order_id: null, display_id: null } : summary,
    payment: {
      payment_session_id: latest.id,
      provider_id: latest.provider_id,
      status: latest.status,
      device_id: data.device_id ?? null,
      kustom_session_id: data.kustom_session_id ?? null,
      kustom_status: kustomStatus,
      kustom_order_id: data.kustom_order_id ?? null,
      failure_reason: failureReason,
      problem: data.problem ?? null,
      order_amount: data.order_amount ?? null,
      currency_code: latest.currency_code,
      dispatched_at: data.dispatched_at ?? null,
      live,
    },
  }
  return { status, data, otherProvider }
}
