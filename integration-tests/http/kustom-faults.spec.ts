import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import { createPaymentSessionsWorkflow } from "@medusajs/medusa/core-flows"
import { sweepOpenSessions as sweepRun } from "../../src/jobs/sweep-kustom-ipp-sessions"
import { ownRun } from "../helpers/jobs"
import { toMinorUnits } from "../../src/lib/session-mapping"
import { PAY_IN_STORE_PROVIDER_ID, seedStore, type SeededStore } from "../../scripts/lib/seed-store"
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
      expect(sale.kustomSessionId).toBeNull()
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

    /** A cart paid in store and become an order, with its in-store payment. */
    async function paidSale() {
      const { headers } = await createAdminHeaders(getContainer())
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
      const order = await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")
      const [payment] = order.payment_collections.flatMap((collection: any) => collection.payments)
      return { headers, sale, payment }
    }

    it("does not refund twice when Kustom's answer to a refund is lost and the client retries", async () => {
      const { headers, sale, payment } = await paidSale()

      fixture.playground.injectFault({ method: "POST", path: "/ordermanagement/v1/orders/*", status: 503, when: "after", times: 1 })
      await api.post(`/admin/payments/${payment.id}/refund`, { amount: 10 }, { headers })

      const kustom = kustomClient(fixture)
      const kustomOrder = await kustom.orders.get((await kustom.sessions.get(sale.kustomSessionId)).order_id as string)
      expect(kustomOrder.refunds).toHaveLength(1)
      expect(kustomOrder.refunded_amount).toBe(toMinorUnits(10, "sek"))
    })

    it("answers 503, saying to try again, when Kustom is down during a refund through Medusa's own route, and moves nothing", async () => {
      const { headers, sale, payment } = await paidSale()

      fixture.playground.injectFault({ method: "POST", path: "/ordermanagement/v1/orders/*", status: 503 })
      const refused = await api
        .post(`/admin/payments/${payment.id}/refund`, { amount: 10 }, { headers, validateStatus: () => true })
        .finally(() => fixture.playground.clearFaults())
      expect(refused.status).toBe(503)
      expect(refused.data.message).toMatch(/^Kustom is not available right now \(HTTP 503.*\) while .+\. Try again in a moment\.$/)

      const kustom = kustomClient(fixture)
      expect((await kustom.orders.get((await kustom.sessions.get(sale.kustomSessionId)).order_id as string)).refunded_amount).toBe(0)
      expect(await getContainer().resolve(Modules.PAYMENT).listRefunds({ payment_id: payment.id })).toEqual([])
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
      expect(response.status).toBe(503)
      expect(response.data.message).toMatch(
        /^Kustom is not available right now \(HTTP 503.*\) while sending the payment to the device\. Try again in a moment\.$/
      )
      expect(JSON.stringify(response.data)).not.toMatch(/kco_test_api/)
    })

    describe("a payment waiting on a device while Kustom does not take the cancel", () => {
      const storeHeaders = () => ({ "x-publishable-api-key": store.publishableKey })
      const sessionsOf = async (paymentCollectionId: string) =>
        (await getContainer().resolve(Modules.PAYMENT).listPaymentSessions({ payment_collection_id: paymentCollectionId })).map(
          (session: { id: string; status: string }) => ({ id: session.id, status: session.status })
        )
      /** Kustom answers reads but refuses every cancel (PUT …/cancel) while `during` runs. */
      async function whileCancelsFail(during: () => Promise<{ status: number; data: any }>): Promise<{ status: number; data: any }> {
        fixture.playground.injectFault({ method: "PUT", path: "/ipp/v1/sessions/*", status: 503 })
        try {
          return await during()
        } finally {
          fixture.playground.clearFaults()
        }
      }
      const unavailable = /^Kustom is not available right now \(HTTP 503.*\) while taking the waiting payment off the device\. Try again in a moment\.$/

      it("refuses to send it again (503), so that no two payments can be taken for one sale", async () => {
        const device = await createDevice(fixture)
        const cartId = await createCart(api, store)
        const first = await payInStore(api, store, cartId, { device_id: device.id })
        const creates = sessionCreates()
        const refused = await whileCancelsFail(() =>
          api.post(
            `/store/payment-collections/${first.paymentCollectionId}/payment-sessions`,
            { provider_id: PAY_IN_STORE_PROVIDER_ID, data: { device_id: device.id } },
            { headers: storeHeaders(), validateStatus: () => true }
          )
        )
        expect(refused.status).toBe(503)
        expect(refused.data).toEqual({ type: "unexpected_state", message: expect.stringMatching(unavailable) })
        expect(sessionCreates()).toBe(creates)
        expect(await sessionsOf(first.paymentCollectionId)).toEqual([{ id: first.paymentSessionId, status: "pending" }])
        expect((await kustomClient(fixture).sessions.get(first.kustomSessionId)).status).toBe("CREATED")

        // Kustom answering again: the waiting one is taken off the device, the new one is the only one on it.
        const again = await payInStore(api, store, cartId, { device_id: device.id })
        expect((await kustomClient(fixture).sessions.get(first.kustomSessionId)).status).toBe("CANCELLED")
        expect(await sessionsOf(first.paymentCollectionId)).toEqual([{ id: again.paymentSessionId, status: "pending" }])
        expect(sessionCreates()).toBe(creates + 1)
      })

      it("refuses a change to the cart (503) and changes nothing, then takes it off the device once Kustom answers", async () => {
        const device = await createDevice(fixture)
        const cartId = await createCart(api, store)
        const first = await payInStore(api, store, cartId, { device_id: device.id })
        const cartNow = async () => (await api.get(`/store/carts/${cartId}?fields=id,total,items.id`, { headers: storeHeaders() })).data.cart
        const collectionAmount = async () =>
          (await getContainer().resolve(Modules.PAYMENT).retrievePaymentCollection(first.paymentCollectionId, { select: ["amount"] })).amount
        const [cartBefore, amountBefore] = [await cartNow(), await collectionAmount()]
        const addMug = () =>
          api.post(`/store/carts/${cartId}/line-items`, { variant_id: store.variants.mug, quantity: 1 }, { headers: storeHeaders(), validateStatus: () => true })

        const refused = await whileCancelsFail(addMug)
        expect([refused.status, refused.data.message]).toEqual([503, expect.stringMatching(unavailable)])
        expect(await cartNow()).toEqual(cartBefore)
        expect(await collectionAmount()).toEqual(amountBefore)
        expect(await sessionsOf(first.paymentCollectionId)).toEqual([{ id: first.paymentSessionId, status: "pending" }])
        expect((await kustomClient(fixture).sessions.get(first.kustomSessionId)).status).toBe("CREATED")

        expect((await addMug()).status).toBe(200)
        expect((await kustomClient(fixture).sessions.get(first.kustomSessionId)).status).toBe("CANCELLED")
        expect((await cartNow()).total).toBeGreaterThan(cartBefore.total)
      })

      it("sends nothing to the device again when Medusa puts back a payment session it had removed", async () => {
        const device = await createDevice(fixture)
        const cartId = await createCart(api, store)
        const first = await payInStore(api, store, cartId, { device_id: device.id })
        const creates = sessionCreates()
        // Medusa removes the collection's sessions while it creates the new one; the new one fails
        // (an unknown device, answered late so that the removal is done), and Medusa puts the old one back.
        fixture.playground.injectFault({ method: "POST", path: "/ipp/v1/sessions", latencyMs: 300, times: 1 })
        await expect(
          createPaymentSessionsWorkflow(getContainer()).run({
            input: { payment_collection_id: first.paymentCollectionId, provider_id: PAY_IN_STORE_PROVIDER_ID, data: { device_id: "no-such-device" } },
          })
        ).rejects.toBeTruthy()
        fixture.playground.clearFaults()

        // One create (the one that failed), none for the session put back.
        expect(sessionCreates()).toBe(creates + 1)
        expect((await kustomClient(fixture).sessions.get(first.kustomSessionId)).status).toBe("CANCELLED")
        const restored = await getContainer().resolve(Modules.PAYMENT).listPaymentSessions({ payment_collection_id: first.paymentCollectionId }, { select: ["id", "status", "data"] })
        expect(restored).toEqual([expect.objectContaining({ status: "canceled", data: expect.objectContaining({ kustom_session_id: first.kustomSessionId, kustom_status: "CANCELLED" }) })])
      })
    })
  },
})
