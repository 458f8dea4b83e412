/**
 * A sale made the way a POS front end makes it: through Medusa's store API with a publishable
 * key, ending in a payment session of the "Pay in store" provider sent to a device.
 */
import type { AxiosInstance } from "axios"
import { walkInAddress } from "../../scripts/lib/counter-sale"
import { PAY_IN_STORE_PROVIDER_ID, type SeededStore } from "../../scripts/lib/seed-store"

export type StoreSale = {
  cartId: string
  paymentCollectionId: string
  paymentSessionId: string
  kustomSessionId: string
  paymentSession: { id: string; amount: number; status: string; data: Record<string, unknown> }
}

/** A walk-in customer's cart; `shippingMethod: false` leaves out the pick-up shipping method. */
export async function createCart(
  api: AxiosInstance,
  store: SeededStore,
  items: { variant_id: string; quantity: number }[] = [
    { variant_id: store.variants.mug, quantity: 2 },
    { variant_id: store.variants.tee, quantity: 1 },
  ],
  { shippingMethod = true }: { shippingMethod?: boolean } = {}
): Promise<string> {
  const headers = { "x-publishable-api-key": store.publishableKey }
  const {
    data: { cart },
  } = await api.post(
    "/store/carts",
    {
      region_id: store.regionId,
      sales_channel_id: store.salesChannelId,
      email: "walk-in@example.com",
      items,
      shipping_address: walkInAddress(store.countryCode),
    },
    { headers }
  )
  if (shippingMethod) await api.post(`/store/carts/${cart.id}/shipping-methods`, { option_id: store.shippingOptionId }, { headers })
  return cart.id
}

export async function payInStore(
  api: AxiosInstance,
  store: SeededStore,
  cartId: string,
  data: Record<string, unknown>
): Promise<StoreSale> {
  const headers = { "x-publishable-api-key": store.publishableKey }
  const {
    data: { payment_collection: collection },
  } = await api.post("/store/payment-collections", { cart_id: cartId }, { headers })
  const {
    data: { payment_collection: withSession },
  } = await api.post(`/store/payment-collections/${collection.id}/payment-sessions`, { provider_id: PAY_IN_STORE_PROVIDER_ID, data }, { headers })
  const paymentSession = withSession.payment_sessions[0]
  return {
    cartId,
    paymentCollectionId: collection.id,
    paymentSessionId: paymentSession.id,
    kustomSessionId: paymentSession.data.kustom_session_id,
    paymentSession,
  }
}

type Container = { resolve<T = any>(key: string): T }

/** The cart's order once Medusa has also recorded its payment (the last step of completion). */
export async function paidOrderOfCart(container: Container, cartId: string): Promise<any | undefined> {
  const query = container.resolve("query")
  const {
    data: [cart],
  } = await query.graph({
    entity: "cart",
    fields: [
      "id",
      "completed_at",
      "order.id",
      "order.display_id",
      "order.total",
      "order.currency_code",
      "order.payment_collections.payments.*",
      "order.payment_collections.payments.captures.*",
      "order.payment_collections.payments.refunds.*",
    ],
    filters: { id: cartId },
  })
  const order = cart?.order
  const paid = order?.payment_collections?.some((collection: any) => collection.payments?.length)
  return paid ? order : undefined
}

export async function ordersOfCart(container: Container, cartId: string): Promise<number> {
  const query = container.resolve("query")
  const { data } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
  return data.length
}

export async function paymentSessionOf(container: Container, id: string): Promise<any> {
  return container.resolve("payment").retrievePaymentSession(id, { select: ["id", "status", "data", "amount", "currency_code"] })
}
