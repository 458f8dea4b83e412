/**
 * Two Medusa instances on one PostgreSQL with Medusa's Redis event bus, Redis workflow engine and
 * Redis locking: two servers both receiving and processing Kustom's callbacks for the same
 * sessions at the same time, and a server receiving them with a worker processing them. One
 * order per session in both. Needs Redis: REDIS_URL (e.g. redis://localhost:6379).
 *
 *   REDIS_URL=redis://localhost:6379 npm run test:multi-instance
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createClient } from "@medusajs/framework/utils"
import { startDevStore, type DevStore } from "../../scripts/lib/dev-store"
import { freePort } from "../../scripts/lib/embedded-database"
import { postSignedCallback } from "../helpers/signed-callback"

const REDIS_URL = process.env.REDIS_URL
const SALES = 12

jest.setTimeout(600_000)

if (!REDIS_URL) {
  process.stdout.write(
    "\n[multi-instance] SKIPPED: these tests need Redis for Medusa's event bus, workflow engine and locking. Set REDIS_URL (e.g. redis://localhost:6379) to run them.\n"
  )
}

const describeWithRedis = REDIS_URL ? describe : describe.skip

type Sale = { cartId: string; sessionId: string }

/** The set-ups a store runs in production; in each, callbacks reach the servers named. */
const SET_UPS = [
  {
    name: "two servers, both processing (workerMode shared)",
    first: {},
    second: {},
    // Each session's `finalized` reaches both instances at once, twice each with distinct ids.
    receivers: (first: string, second: string) => [first, second, first, second],
  },
  {
    name: "a server and a worker (workerMode server / worker)",
    first: { MEDUSA_WORKER_MODE: "server" },
    second: { MEDUSA_WORKER_MODE: "worker" },
    // Only the server answers HTTP; it runs no subscribers, so every order is the worker's.
    receivers: (first: string) => [first, first, first, first],
  },
] as const

describeWithRedis.each(SET_UPS)("Medusa instances on one database with Redis: $name", ({ first, second: secondEnv, receivers }) => {
  let dataDir: string
  let store: DevStore
  let second: { url: string }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "kustom-ipp-two-instances-"))
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL, ...first }
    for (const key of ["DATABASE_URL", "DB_HOST", "DB_PORT", "DB_USERNAME", "DB_PASSWORD", "NODE_OPTIONS"]) delete env[key]
    store = await startDevStore({ dataDir, medusaPort: 0, playgroundPort: 0, admin: false, env, log: () => undefined })
    second = await store.startInstance(await freePort(), { REDIS_URL: REDIS_URL as string, ...secondEnv })
  })

  afterAll(async () => {
    await store?.stop()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  async function playground(path: string, init: RequestInit = {}) {
    const response = await fetch(`${store.playgroundUrl}${path}`, {
      ...init,
      headers: { authorization: `Basic ${store.apiKey}`, "content-type": "application/json", ...init.headers },
    })
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
    return response.status === 204 ? undefined : response.json()
  }

  async function storeApi<T>(path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${store.medusaUrl}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json", "x-publishable-api-key": store.publishableKey },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }

  /** A sale paid on the device, its callbacks held back by the playground. */
  async function paidSale(): Promise<Sale> {
    const { cart } = await storeApi<{ cart: { id: string } }>("/store/carts", {
      region_id: store.regionId,
      sales_channel_id: store.salesChannelId,
      email: "counter@example.com",
      items: [{ variant_id: store.store.variants.mug, quantity: 1 }],
      shipping_address: { first_name: "Walk", last_name: "In", address_1: "Storgatan 1", city: "Stockholm", postal_code: "11122", country_code: "se" },
    })
    await storeApi(`/store/carts/${cart.id}/shipping-methods`, { option_id: store.store.shippingOptionId })
    const { payment_collection: collection } = await storeApi<{ payment_collection: { id: string } }>("/store/payment-collections", { cart_id: cart.id })
    const { payment_collection: withSession } = await storeApi<{ payment_collection: { payment_sessions: { data: { kustom_session_id: string } }[] } }>(
      `/store/payment-collections/${collection.id}/payment-sessions`,
      { provider_id: "pp_pay-in-store_kustom", data: { device_id: store.deviceId } }
    )
    const sessionId = withSession.payment_sessions[0].data.kustom_session_id
    await playground(`/ipp/v1/dev/sessions/${sessionId}/simulate-tap?outcome=SUCCESS`, { method: "POST" })
    return { cartId: cart.id, sessionId }
  }

  it("creates one order per session from callbacks delivered in parallel", async () => {
    await playground("/_playground/callback-faults", { method: "POST", body: JSON.stringify({ dropAll: true }) })
    const sales: Sale[] = []
    for (let i = 0; i < SALES; i++) sales.push(await paidSale())

    const statuses = await Promise.all(
      sales.flatMap((sale) =>
        receivers(store.medusaUrl, second.url).map((base) =>
          postSignedCallback(`${base}/hooks/kustom-ipp`, store.webhookSecret, { type: "ipp.session.finalized", session_id: sale.sessionId })
        )
      )
    )
    expect(statuses.every((status) => status === 200)).toBe(true)

    const db = createClient({ connectionString: store.databaseUrl })
    await db.connect()
    try {
      const cartIds = sales.map((sale) => sale.cartId)
      const deadline = Date.now() + 120_000
      let counts: { cart_id: string; orders: number }[] = []
      while (Date.now() < deadline) {
        const result = await db.query(
          `SELECT c.id AS cart_id, COUNT(oc.order_id)::int AS orders FROM unnest($1::text[]) AS c(id)
             LEFT JOIN order_cart oc ON oc.cart_id = c.id AND oc.deleted_at IS NULL GROUP BY c.id`,
          [cartIds]
        )
        counts = result.rows
        if (counts.every((row) => row.orders > 0)) break
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
      // Let any late processing on either instance finish before counting again.
      await new Promise((resolve) => setTimeout(resolve, 3_000))
      const final = await db.query(
        `SELECT oc.cart_id, COUNT(*)::int AS orders, COUNT(DISTINCT p.id)::int AS payments
           FROM order_cart oc
           JOIN cart_payment_collection cpc ON cpc.cart_id = oc.cart_id AND cpc.deleted_at IS NULL
           LEFT JOIN payment p ON p.payment_collection_id = cpc.payment_collection_id AND p.deleted_at IS NULL
          WHERE oc.cart_id = ANY($1::text[]) AND oc.deleted_at IS NULL
          GROUP BY oc.cart_id`,
        [cartIds]
      )
      expect(final.rows).toHaveLength(SALES)
      expect(final.rows.every((row: { orders: number; payments: number }) => row.orders === 1 && row.payments === 1)).toBe(true)
    } finally {
      await db.end()
    }
  })
})
