/**
 * Finds the sale behind a Medusa payment session — a cart, or a draft order — with the
 * totals the session mapping needs. Used by the provider when it dispatches a payment and by
 * the workflows when a paid session comes back.
 */
import { ContainerRegistrationKeys, MedusaError, Modules } from "@medusajs/framework/utils"
import type { BigNumberInput, ICartModuleService, IPaymentModuleService, MedusaContainer, RemoteQueryFunction } from "@medusajs/framework/types"
import type { Sale } from "../session-mapping"
import { readCartWithTotals } from "./cart-totals"

export { cartCompletionRefusal, whyCartCannotBecomeOrder } from "./cart-completion"

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
  /** That order's number (#7), for messages a person reads. */
  orderDisplayId?: number | null
  /** Whether that order was cancelled (a draft order converted, then cancelled, in Medusa). */
  orderCancelled?: boolean
  /** The sale's total now (major units), to compare with what was paid. */
  total: BigNumberInput
}

/** What dispatching a payment needs: the sale with its lines and totals. */
export type PaymentSessionSale = SaleState & {
  /** A human reference for the clerk and for Kustom's `merchant_reference1`. */
  reference: string
  /** The order's display number, for a draft order (or an order that is no draft). */
  displayId?: number | null
  salesChannelId: string | null
  sale: Sale
}

/*
 * Payment sessions and carts are read from their modules rather than through the query graph:
 * the same reads without the cross-module layer. A cart's parts are read side by side and
 * summed with Medusa's own totals function (./cart-totals). Medusa's default loading (one
 * query per relation) is kept: joined loading is faster for a two-line cart but twice as slow
 * for a hundred lines with promotions (docs/benchmarks.md).
 */

const PAYMENT_SESSION_FIELDS = ["id", "provider_id", "amount", "currency_code", "status", "data", "payment_collection_id"]

async function loadPaymentSession(container: MedusaContainer, id: string): Promise<PaymentSessionRow | null> {
  const payments = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const [session] = await payments.listPaymentSessions({ id }, { select: PAYMENT_SESSION_FIELDS })
  return (session as unknown as PaymentSessionRow | undefined) ?? null
}

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
  const base = await loadPaymentSession(container, paymentSessionId)
  if (!base) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `Payment session ${paymentSessionId} was not found`)
  }
  const ref = await findSaleOfCollection(container, base.payment_collection_id)

  if (ref?.kind === "cart") {
    const cart = await readCartWithTotals(container.resolve<ICartModuleService>(Modules.CART), ref.id, [
      "id",
      "currency_code",
      "sales_channel_id",
      "completed_at",
    ])
    if (!cart) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Cart ${ref.id} was not found`)
    return {
      paymentSession: base,
      ref,
      reference: cart.id,
      salesChannelId: cart.sales_channel_id ?? null,
      completed: Boolean(cart.completed_at),
      orderId: cart.completed_at ? await orderOfCart(container, cart.id) : null,
      total: cart.total as BigNumberInput,
      sale: cart as unknown as Sale,
    }
  }

  if (ref?.kind === "draft_order") {
    const {
      data: [order],
    } = await query.graph({
      entity: "order",
      fields: [...TOTAL_FIELDS, "display_id", "is_draft_order", "status"],
      filters: { id: ref.id },
    })
    if (!order) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Order ${ref.id} was not found`)
    return {
      paymentSession: base,
      ref,
      reference: `Draft order #${order.display_id}`,
      displayId: order.display_id ?? null,
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

/** The cart or the (draft) order a payment collection belongs to, read from Medusa's links. */
async function findSaleOfCollection(container: MedusaContainer, paymentCollectionId: string): Promise<SaleRef | null> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const [{ data: carts }, { data: orders }] = await Promise.all([
    query.graph({ entity: "cart_payment_collection", fields: ["cart_id"], filters: { payment_collection_id: paymentCollectionId } }),
    query.graph({ entity: "order_payment_collection", fields: ["order_id"], filters: { payment_collection_id: paymentCollectionId } }),
  ])
  const cartId = (carts[0] as { cart_id?: string } | undefined)?.cart_id
  if (cartId) return { kind: "cart", id: cartId }
  const orderId = (orders[0] as { order_id?: string } | undefined)?.order_id
  return orderId ? { kind: "draft_order", id: orderId } : null
}

/** The order a cart became, if any. */
async function orderOfCart(container: MedusaContainer, cartId: string): Promise<string | null> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
  return (data[0] as { order_id?: string } | undefined)?.order_id ?? null
}

/**
 * The state of a sale named by a session's `merchant_data`, with no line items: what processing
 * a callback needs, on the path from tap to order. The queries run side by side.
 */
export async function loadSaleState(
  container: MedusaContainer,
  target: { payment_session_id: string; sale_kind: SaleKind; sale_id: string }
): Promise<SaleState | null> {
  const [paymentSession, sale] = await Promise.all([
    loadPaymentSession(container, target.payment_session_id),
    target.sale_kind === "cart" ? loadCartState(container, target.sale_id) : loadDraftOrderState(container, target.sale_id),
  ])
  if (!paymentSession || !sale) return null
  return { paymentSession, ref: { kind: target.sale_kind, id: target.sale_id }, ...sale }
}

/** What a sale totals now (a cart's or a draft order's total) and in which currency, or null when it does not exist. */
export async function loadSaleTotal(
  container: MedusaContainer,
  sale: { sale_kind: SaleKind; sale_id: string }
): Promise<{ total: BigNumberInput; currencyCode: string } | null> {
  const state = sale.sale_kind === "cart" ? await loadCartState(container, sale.sale_id) : await loadDraftOrderState(container, sale.sale_id)
  return state ? { total: state.total, currencyCode: state.currencyCode } : null
}

type SaleProgress = Pick<SaleState, "completed" | "orderId" | "orderDisplayId" | "orderCancelled" | "total"> & { currencyCode: string }

async function loadCartState(container: MedusaContainer, cartId: string): Promise<SaleProgress | null> {
  const cart = await readCartWithTotals(container.resolve<ICartModuleService>(Modules.CART), cartId, ["id", "completed_at", "currency_code"])
  if (!cart) return null
  // Completion sets `completed_at`; only then is the order looked up. A completion that stopped
  // half-way (order linked, `completed_at` not yet set) is finished by completing again, which
  // finds the linked order instead of creating another.
  const orderId = cart.completed_at ? await orderOfCart(container, cartId) : null
  const orderDisplayId = orderId ? await orderNumber(container, orderId) : null
  return { completed: Boolean(cart.completed_at), orderId, orderDisplayId, total: cart.total as BigNumberInput, currencyCode: cart.currency_code as string }
}

/** An order's number (#7), read only for a sale that already became an order. */
async function orderNumber(container: MedusaContainer, orderId: string): Promise<number | null> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const {
    data: [order],
  } = await query.graph({ entity: "order", fields: ["id", "display_id"], filters: { id: orderId } })
  return (order as { display_id?: number } | undefined)?.display_id ?? null
}

async function loadDraftOrderState(container: MedusaContainer, orderId: string): Promise<SaleProgress | null> {
  const query = container.resolve<RemoteQueryFunction>(ContainerRegistrationKeys.QUERY)
  const {
    data: [order],
  } = await query.graph({ entity: "order", fields: ["id", "display_id", "total", "currency_code", "is_draft_order", "status"], filters: { id: orderId } })
  if (!order) return null
  return {
    currencyCode: order.currency_code,
    completed: !order.is_draft_order,
    orderId: order.is_draft_order ? null : order.id,
    orderDisplayId: order.is_draft_order ? null : (order.display_id ?? null),
    orderCancelled: !order.is_draft_order && order.status === "canceled",
    total: order.total as BigNumberInput,
  }
}
