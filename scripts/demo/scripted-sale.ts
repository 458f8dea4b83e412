/**
 * One whole in-store sale through public interfaces only, as a POS front end and a clerk would
 * make it: a cart through Medusa's store API with `@medusajs/js-sdk`, the payment session sent
 * to the simulated device, the tap on the device (the playground), Kustom's signed callback,
 * and the order. Then it checks the order's captured payment against the Kustom session.
 */
import Medusa from "@medusajs/js-sdk"
import type { Progress } from "../lib/progress"

export const PAY_IN_STORE_PROVIDER_ID = "pp_pay-in-store_kustom"

export type SaleTarget = {
  medusaUrl: string
  publishableKey: string
  regionId: string
  salesChannelId: string
  deviceId: string
  playgroundUrl: string
  /** The Kustom API key (the playground accepts it for its test helpers too). */
  apiKey: string
  adminEmail: string
  adminPassword: string
}

/** The scripted demo's last line. */
export type SaleResult = {
  order_id: string
  display_id: number
  /** The order total in the currency's major unit, as Medusa returns it. */
  total: number
  currency_code: string
  ipp_session_id: string
  kustom_order_id: string
  /** From creating the cart to the verified order. */
  ms: number
}

type KustomSession = {
  session_id: string
  status: string
  device_id: string
  order_id: string | null
  order_amount: number
  purchase_currency: string
}
type KustomOrder = { order_id: string; status: string; order_amount: number; captured_amount: number }
type Delivery = { type: string; session_id: string; status?: number; signatures: string[] }
type InStorePayment = {
  sale: { completed: boolean; order_id: string | null; display_id: number | null }
  payment: { kustom_session_id: string | null; kustom_status: string | null; kustom_order_id: string | null; order_amount: number | null } | null
}
type AdminPayment = {
  provider_id: string
  amount: number | string
  captured_at: string | null
  captures?: { amount: number | string }[]
}
type AdminOrder = {
  id: string
  display_id: number
  total: number
  currency_code: string
  payment_collections?: { payments?: AdminPayment[] }[]
}

export class SaleError extends Error {
  override readonly name = "SaleError"
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      lastError = error
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new SaleError(`timed out waiting for ${what}${lastError ? ` (${(lastError as Error).message})` : ""}`)
}

/** The currency's minor-unit exponent (SEK 2, JPY 0, KWD 3), as Intl knows it. */
function currencyExponent(currencyCode: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency: currencyCode.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2
}

/** A decimal amount of major units as an integer of minor units, exactly (no binary floating point). */
export function toMinorUnits(amount: number | string, currencyCode: string): number {
  const exponent = currencyExponent(currencyCode)
  const text = typeof amount === "number" ? amount.toFixed(Math.max(exponent, 0) + 6) : amount.trim()
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text)
  if (!match) throw new SaleError(`"${amount}" is not a decimal amount`)
  const [, sign, whole, fraction = ""] = match
  const kept = fraction.padEnd(exponent, "0").slice(0, exponent)
  const rest = fraction.slice(exponent).replace(/0+$/, "")
  if (rest) throw new SaleError(`${amount} ${currencyCode} has more decimals than the currency's minor unit`)
  return Number(`${sign}${whole}${kept}`)
}

function formatMinor(minor: number, currencyCode: string): string {
  const exponent = currencyExponent(currencyCode)
  return `${(minor / 10 ** exponent).toFixed(exponent)} ${currencyCode.toUpperCase()}`
}

export async function runScriptedSale(target: SaleTarget, progress: Progress): Promise<SaleResult> {
  const started = Date.now()
  // The way a POS front end talks to the store: the JS SDK with the store's publishable key.
  const sdk = new Medusa({ baseUrl: target.medusaUrl, publishableKey: target.publishableKey, auth: { type: "jwt", jwtTokenStorageMethod: "memory" } })
  const kustom = async <T>(method: string, path: string): Promise<T> => {
    const response = await fetch(`${target.playgroundUrl}${path}`, {
      method,
      headers: { authorization: `Basic ${target.apiKey}`, accept: "application/json" },
    })
    const text = await response.text()
    if (!response.ok) throw new SaleError(`${method} ${path} → ${response.status} ${text}`)
    return JSON.parse(text) as T
  }

  const cart = await progress.stage(
    "cart",
    async () => {
      const { products } = await sdk.store.product.list({ region_id: target.regionId, fields: "id,title,*variants", limit: 20 })
      const sellable = products.filter((product) => product.variants?.length).sort((a, b) => a.title.localeCompare(b.title))
      if (sellable.length < 2) throw new SaleError(`the store has ${sellable.length} product(s) with variants; the seeded store has two`)
      const { cart: created } = await sdk.store.cart.create({
        region_id: target.regionId,
        sales_channel_id: target.salesChannelId,
        email: "walk-in@example.com",
        items: sellable.slice(0, 2).map((product) => ({ variant_id: product.variants![0].id, quantity: 1 })),
        shipping_address: { first_name: "Walk", last_name: "In", address_1: "Storgatan 1", city: "Stockholm", postal_code: "11122", country_code: "se" },
      })
      const { shipping_options: options } = await sdk.store.fulfillment.listCartOptions({ cart_id: created.id })
      if (!options.length) throw new SaleError("no shipping option for the cart (the seeded store has pick-up at the counter)")
      const { cart: withShipping } = await sdk.store.cart.addShippingMethod(created.id, { option_id: options[0].id })
      return withShipping
    },
    { done: (made) => `cart ${made.id} through the store API: ${made.items?.length ?? 0} items, ${made.total} ${made.currency_code.toUpperCase()}` }
  )

  const session = await progress.stage(
    "payment session",
    async () => {
      const { payment_collection: collection } = await sdk.store.payment.initiatePaymentSession(cart, {
        provider_id: PAY_IN_STORE_PROVIDER_ID,
        data: { device_id: target.deviceId },
      })
      const paymentSession = collection.payment_sessions?.find((candidate) => candidate.provider_id === PAY_IN_STORE_PROVIDER_ID)
      const kustomSessionId = (paymentSession?.data as { kustom_session_id?: string } | undefined)?.kustom_session_id
      if (!kustomSessionId) throw new SaleError("the payment session has no Kustom session id")
      const onDevice = await kustom<KustomSession>("GET", `/ipp/v1/sessions/${kustomSessionId}`)
      if (onDevice.device_id !== target.deviceId) throw new SaleError(`the session went to device ${onDevice.device_id}, not ${target.deviceId}`)
      return onDevice
    },
    { done: (made) => `payment session ${made.session_id} on device ${made.device_id}: ${formatMinor(made.order_amount, made.purchase_currency)} (${made.status})` }
  )

  const tapped = await progress.stage("tap", () => kustom<KustomSession>("POST", `/ipp/v1/dev/sessions/${session.session_id}/simulate-tap?outcome=SUCCESS`), {
    done: (after) => `card tapped on the device: session ${after.status}, Kustom order ${after.order_id}`,
  })
  if (tapped.status !== "FINALIZED" || !tapped.order_id) throw new SaleError(`the tap left the session ${tapped.status}`)

  await progress.stage(
    "callback",
    () =>
      poll("the signed ipp.session.finalized callback to be accepted", async () => {
        const { deliveries } = await kustom<{ deliveries: Delivery[] }>("GET", "/_playground/deliveries")
        return deliveries.find(
          (delivery) =>
            delivery.session_id === session.session_id &&
            delivery.type === "ipp.session.finalized" &&
            delivery.status !== undefined &&
            delivery.status >= 200 &&
            delivery.status < 300 &&
            delivery.signatures.length > 0
        )
      }),
    { done: (delivery) => `signed callback ${delivery.type} accepted by the store (${delivery.status})` }
  )

  const sale = await progress.stage(
    "order",
    () =>
      poll("the cart to become an order", async () => {
        const status = await sdk.client.fetch<InStorePayment>(`/store/kustom-ipp/carts/${cart.id}/payment`)
        return status.sale.completed && status.sale.order_id ? status : undefined
      }),
    { done: (status) => `order #${status.sale.display_id} (${status.sale.order_id})` }
  )

  const admin = new Medusa({ baseUrl: target.medusaUrl, auth: { type: "jwt", jwtTokenStorageMethod: "memory" } })
  const verified = await progress.stage(
    "verify",
    async () => {
      const login = await admin.auth.login("user", "emailpass", { email: target.adminEmail, password: target.adminPassword })
      if (typeof login !== "string") throw new SaleError("the admin login asked for a redirect")
      const [kustomSession, kustomOrder] = await Promise.all([
        kustom<KustomSession>("GET", `/ipp/v1/sessions/${session.session_id}`),
        kustom<KustomOrder>("GET", `/ordermanagement/v1/orders/${tapped.order_id}`),
      ])
      // The payment is recorded as the last step of completing the cart: wait for it.
      const order = await poll("the order's captured payment", async () => {
        const { order: found } = await admin.admin.order.retrieve(sale.sale.order_id!, {
          fields: "id,display_id,total,currency_code,*payment_collections,*payment_collections.payments,*payment_collections.payments.captures",
        })
        const typed = found as unknown as AdminOrder
        const captured = payInStorePayments(typed).some((payment) => payment.captured_at)
        return captured ? typed : undefined
      })
      const payments = payInStorePayments(order)
      const capturedMinor = payments
        .flatMap((payment) => payment.captures ?? [])
        .reduce((sum, capture) => sum + toMinorUnits(capture.amount, order.currency_code), 0)
      const expected = kustomSession.order_amount
      const checks: [string, number][] = [
        ["the order's captured payment", capturedMinor],
        ["the order total", toMinorUnits(order.total, order.currency_code)],
        ["Kustom's captured amount", kustomOrder.captured_amount],
      ]
      for (const [what, amount] of checks) {
        if (amount !== expected) {
          throw new SaleError(`${what} is ${formatMinor(amount, order.currency_code)}, the Kustom session's order_amount ${formatMinor(expected, order.currency_code)}`)
        }
      }
      if (kustomSession.status !== "FINALIZED") throw new SaleError(`the Kustom session is ${kustomSession.status}`)
      return { order, amount: expected }
    },
    {
      done: ({ order, amount }) =>
        `captured payment ${formatMinor(amount, order.currency_code)} = the Kustom session's order_amount (admin API and Kustom agree)`,
    }
  )

  return {
    order_id: verified.order.id,
    display_id: verified.order.display_id,
    total: Number(verified.order.total),
    currency_code: verified.order.currency_code,
    ipp_session_id: session.session_id,
    kustom_order_id: tapped.order_id,
    ms: Date.now() - started,
  }
}

function payInStorePayments(order: AdminOrder): AdminPayment[] {
  return (order.payment_collections ?? []).flatMap((collection) => collection.payments ?? []).filter((payment) => payment.provider_id === PAY_IN_STORE_PROVIDER_ID)
}
