import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { sweepOpenSessions as sweepRun } from "../../src/jobs/sweep-kustom-ipp-sessions"
import { ownRun } from "../helpers/jobs"
import { toMinorUnits } from "../../src/lib/session-mapping"
import { seedStore, type SeededStore } from "../../scripts/lib/seed-store"
import { createAdminHeaders } from "../helpers/admin"
import { createDevice, kustomClient } from "../helpers/kustom"
import { usePlayground } from "../helpers/playground"
import { createCart, ordersOfCart, paidOrderOfCart, payInStore, paymentSessionOf } from "../helpers/store-sale"
import { waitFor } from "../helpers/wait"


// The test's own runs; the scheduler's run may hold the sweep's run lock a moment.
const sweepOpenSessions = ownRun(sweepRun)
jest.setTimeout(180_000)

// A short client timeout, so that the playground's latency can exceed it.
const fixture = usePlayground({}, { KUSTOM_IPP_TIMEOUT_MS: "1000" })

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    let store: SeededStore

    beforeEach(async () => {
      fixture.connect(api.defaults.baseURL as string)
      store = await seedStore(getContainer())
    })

    const sessionCreates = () => fixture.playground.requests().filter((r) => r.method === "POST" && r.path === "/ipp/v1/sessions").length

    it("never creates a session twice when the create times out after reaching Kustom: it looks the session up", async () => {
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const before = sessionCreates()
      fixture.playground.injectFault({ method: "POST", path: "/ipp/v1/sessions", latencyMs: 2_500, when: "after", times: 1 })

      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      // Found through Kustom's `created` callback, which arrived while the answer was late.
      expect(sale.kustomSessionId).toBeTruthy()
      expect((await kustomClient(fixture).sessions.get(sale.kustomSessionId)).device_id).toBe(device.id)
      expect(sessionCreates() - before).toBe(1)

      await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
      await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")
      expect(sessionCreates() - before).toBe(1)
      expect(await ordersOfCart(getContainer(), cartId)).toBe(1)
    })

    it("adopts the session when Kustom's callback for a timed-out create comes later", async () => {
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const before = sessionCreates()
      fixture.playground.setCallbackFaults({ delayMs: 4_000, types: ["ipp.session.created"] })
      fixture.playground.injectFault({ method: "POST", path: "/ipp/v1/sessions", latencyMs: 2_500, when: "after", times: 1 })

      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      expect(sale.kustomSessionId).toBeUndefined()
      expect(sale.paymentSession.data.create_unconfirmed_at).toBeTruthy()

      const adopted = await waitFor(async () => {
        const session = await paymentSessionOf(getContainer(), sale.paymentSessionId)
        return session.data.kustom_session_id ? session : undefined
      }, "the session to be adopted")
      expect(adopted.data.create_unconfirmed_at).toBeNull()

      await kustomClient(fixture).playground.simulateTap(adopted.data.kustom_session_id)
      await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")
      expect(sessionCreates() - before).toBe(1)
      expect(await ordersOfCart(getContainer(), cartId)).toBe(1)
    })

    it("marks a dispatch that never reached Kustom as failed after a sweep, so it can be sent again", async () => {
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      fixture.playground.injectFault({ method: "POST", path: "/ipp/v1/sessions", dropConnection: true, times: 1 })
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      expect(sale.paymentSession.data.create_unconfirmed_at).toBeTruthy()

      await sweepOpenSessions(getContainer(), { minAgeMs: 0 })
      const failed = await paymentSessionOf(getContainer(), sale.paymentSessionId)
      expect(failed.status).toBe("error")
      expect(failed.data.problem).toMatch(/never confirmed/)

      const again = await payInStore(api, store, cartId, { device_id: device.id })
      await kustomClient(fixture).playground.simulateTap(again.kustomSessionId)
      await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")
    })

    it("retries status reads through 5xx and 429 with Retry-After", async () => {
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      fixture.playground.setCallbackFaults({ dropAll: true })
      await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
      fixture.playground.injectFault({ method: "GET", path: "/ipp/v1/sessions/*", status: 503, times: 1 })
      fixture.playground.injectFault({ method: "GET", path: "/ipp/v1/sessions/*", status: 429, retryAfterSeconds: 1, times: 1 })

      const report = await sweepOpenSessions(getContainer(), { minAgeMs: 0 })
      expect(report).toMatchObject({ checked: 1, failed: 0 })
      expect(await paidOrderOfCart(getContainer(), cartId)).toBeDefined()
    })

    it("does not refund twice when Kustom's answer to a refund is lost and the client retries", async () => {
      const { headers } = await createAdminHeaders(getContainer())
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
      const order = await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")
      const [payment] = order.payment_collections.flatMap((collection: any) => collection.payments)

      fixture.playground.injectFault({ method: "POST", path: "/ordermanagement/v1/orders/*", status: 503, when: "after", times: 1 })
      await api.post(`/admin/payments/${payment.id}/refund`, { amount: 10 }, { headers })

      const kustom = kustomClient(fixture)
      const kustomOrder = await kustom.orders.get((await kustom.sessions.get(sale.kustomSessionId)).order_id as string)
      expect(kustomOrder.refunds).toHaveLength(1)
      expect(kustomOrder.refunded_amount).toBe(toMinorUnits(10, "sek"))
    })

    it("tells a person what to do when Kustom cannot be reached to send a payment", async () => {
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      fixture.playground.injectFault({ method: "POST", path: "/ipp/v1/sessions", status: 503, times: 1 })
      const headers = { "x-publishable-api-key": store.publishableKey }
      const { data: created } = await api.post("/store/payment-collections", { cart_id: cartId }, { headers })
      const response = await api.post(
        `/store/payment-collections/${created.payment_collection.id}/payment-sessions`,
        { provider_id: "pp_pay-in-store_kustom", data: { device_id: device.id } },
        { headers, validateStatus: () => true }
      )
      expect(response.status).toBe(500)
      expect(response.data.message).toMatch(
        /^Kustom is not available right now \(HTTP 503.*\) while sending the payment to the device\. Try again in a moment\.$/
      )
      expect(JSON.stringify(response.data)).not.toMatch(/kco_test_api/)
    })
  },
})
