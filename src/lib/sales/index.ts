/**
 * Finds the sale behind a Medusa payment session — a cart, or a draft order — with the
 * totals the session mapping needs. Used by the provider when it dispatches a payment and by
 * the workflows when a paid session comes back.
 */
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import type { BigNumberInput, MedusaContainer, RemoteQueryFunction } from "@medusajs/framework/types"
import type { Sale } from "../session-mapping"

export type SaleKind = "cart" | "draft_order"

export type SaleRef = { kind: SaleKind; id: string }

export type PaymentSessionRow = {
  id: string
  provider_id: string
  amount: unknown
  currency_code: string
  status: string
  data: Record<string, unknown> | null
  payment_collection_id: string
}

/** What deciding about a paid session needs: the payment session and the sale's state. */
export type SaleState = {
  paymentSession: PaymentSessionRow
  ref: SaleRef
  /** Whether the sale can no longer be paid: the cart has an order or the draft was converted. */
  completed: boolean
  /** The order id, when the sale already became one. */
  orderId: string | null
  /** The sale's total now (major units), to compare with what was paid. */
  total: BigNumberInput
}

/** What dispatching a payment needs: the sale with its lines and totals. */
export type PaymentSessionSale = SaleState & {
  /** A human reference for the clerk and for Kustom's `merchant_reference1`. */
  reference: string
  salesChannelId: string | null
  sale: Sale
}

const PAYMENT_SESSION_FIELDS = ["id", "provider_id", "amount", "currency_code", "status", "data", "payment_collection_id"]

const ITEM_FIELDS = [
  "id",
  "title",
  "product_title",
  "variant_title",
  "variant_sku",
  "quantity",
  "unit_price",
  "is_tax_inclusive",
  "requires_shipping",
  "is_giftcard",
  "total",
  "original_total",
  "tax_lines.rate",
]

const SHIPPING_FIELDS = ["id", "name", "shipping_option_id", "total", "original_total", "tax_lines.rate"]

const TOTAL_FIELDS = [
  "id",
  "currency_code",
  "total",
  "credit_line_total",
  "sales_channel_id",
  ...ITEM_FIELDS.map((field) => `items.${field}`),
  ...SHIPPING_FIELDS.map((field) => `shipping_methods.${field}`),
]

export async function loadPaymentSessionSale(container: MedusaContainer, paymentSessionId: string): Promise<PaymentSessionSale> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const {
    data: [paymentSession],
  } = await query.graph({
    entity: "payment_session",
    fields: [
      ...PAYMENT_SESSION_FIELDS,
      "payment_collection.cart.id",
      "payment_collection.order.id",
    ],
    filters: { id: paymentSessionId },
  })
  if (!paymentSession) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `Payment session ${paymentSessionId} was not found`)
  }
  const collection = paymentSession.payment_collection as { cart?: { id: string } | null; order?: { id: string } | null } | null
  const base = {
    id: paymentSession.id,
    provider_id: paymentSession.provider_id,
    amount: paymentSession.amount,
    currency_code: paymentSession.currency_code,
    status: paymentSession.status,
    data: (paymentSession.data ?? null) as Record<string, unknown> | null,
    payment_collection_id: paymentSession.payment_collection_id,
  }

  if (collection?.cart?.id) {
    const {
      data: [cart],
    } = await query.graph({
      entity: "cart",
      fields: [...TOTAL_FIELDS, "completed_at", "order.id"],
      filters: { id: collection.cart.id },
    })
    if (!cart) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Cart ${collection.cart.id} was not found`)
    const orderId = (cart as { order?: { id: string } | null }).order?.id ?? null
    return {
      paymentSession: base,
      ref: { kind: "cart", id: cart.id },
      reference: cart.id,
      salesChannelId: cart.sales_channel_id ?? null,
      completed: Boolean(cart.completed_at || orderId),
      orderId,
      total: cart.total as BigNumberInput,
      sale: cart as unknown as Sale,
    }
  }

  if (collection?.order?.id) {
    const {
      data: [order],
    } = await query.graph({
      entity: "order",
      fields: [...TOTAL_FIELDS, "display_id", "is_draft_order", "status"],
      filters: { id: collection.order.id },
    })
    if (!order) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Order ${collection.order.id} was not found`)
    return {
      paymentSession: base,
      ref: { kind: "draft_order", id: order.id },
      reference: `Draft order #${order.display_id}`,
      salesChannelId: order.sales_channel_id ?? null,
      completed: !order.is_draft_order,
      orderId: order.is_draft_order ? null : order.id,
      total: order.total as BigNumberInput,
      sale: order as unknown as Sale,
    }
  }

  throw new MedusaError(
    MedusaError.Types.NOT_ALLOWED,
    `Payment session ${paymentSessionId} belongs to neither a cart nor a draft order; Pay in store takes payments for those only`
  )
}

/**
 * The state of a sale named by a session's `merchant_data`, with two queries run side by side
 * and no line items: what processing a callback needs, on the path from tap to order.
 */
export async function loadSaleState(
  container: MedusaContainer,
  target: { payment_session_id: string; sale_kind: SaleKind; sale_id: string }
): Promise<SaleState | null> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const [{ data: sessions }, sale] = await Promise.all([
    query.graph({ entity: "payment_session", fields: PAYMENT_SESSION_FIELDS, filters: { id: target.payment_session_id } }),
    target.sale_kind === "cart"
      ? query
          .graph({ entity: "cart", fields: ["id", "total", "completed_at", "order.id"], filters: { id: target.sale_id } })
          .then(({ data: [cart] }) => {
            if (!cart) return null
            const orderId = (cart as { order?: { id: string } | null }).order?.id ?? null
            return { completed: Boolean(cart.completed_at || orderId), orderId, total: cart.total as BigNumberInput }
          })
      : query
          .graph({ entity: "order", fields: ["id", "total", "is_draft_order"], filters: { id: target.sale_id } })
          .then(({ data: [order] }) => {
            if (!order) return null
            return { completed: !order.is_draft_order, orderId: order.is_draft_order ? null : order.id, total: order.total as BigNumberInput }
          }),
  ])
  const paymentSession = sessions[0] as PaymentSessionRow | undefined
  if (!paymentSession || !sale) return null
  return { paymentSession, ref: { kind: target.sale_kind, id: target.sale_id }, ...sale }
}
