import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { webcrypto } from "node:crypto"
import { Webhook } from "standardwebhooks"
import { KUSTOM_IPP_MODULE, type KustomIppModuleService } from "../../src/modules/kustom-ipp"
import { seedStore, type SeededStore } from "../../scripts/lib/seed-store"
import { createAdminHeaders } from "../helpers/admin"
import { captureOutput } from "../helpers/capture-output"
import { createDevice, kustomClient } from "../helpers/kustom"
import { usePlayground } from "../helpers/playground"
import { createCart, ordersOfCart, paidOrderOfCart, payInStore } from "../helpers/store-sale"
import { waitFor } from "../helpers/wait"

jest.setTimeout(300_000)
globalThis.crypto ??= webcrypto as Crypto

const fixture = usePlayground()

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    let store: SeededStore

    beforeEach(async () => {
      fixture.connect(api.defaults.baseURL as string)
      store = await seedStore(getContainer())
    })

    async function paidSale() {
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      return { cartId, sale }
    }

    async function assertOneOrderOneCapture(cartId: string, kustomSessionId: string) {
      const order = await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")
      // Let every delivery and its processing finish before counting.
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      expect(await ordersOfCart(getContainer(), cartId)).toBe(1)
      const payments = (await paidOrderOfCart(getContainer(), cartId)).payment_collections.flatMap((c: any) => c.payments)
      expect(payments).toHaveLength(1)
      expect(payments[0].canceled_at).toBeFalsy()
      expect(payments[0].captures).toHaveLength(1)
      expect(payments[0].refunds ?? []).toHaveLength(0)
      const kustom = kustomClient(fixture)
      const kustomOrder = await kustom.orders.get((await kustom.sessions.get(kustomSessionId)).order_id as string)
      expect(kustomOrder).toMatchObject({ status: "CAPTURED", refunded_amount: 0 })
      expect(kustomOrder.captures).toHaveLength(1)
      await assertNoRunFailed(kustomSessionId)
      return order
    }

    /**
     * Every callback of the session processed at the first attempt: no processing run failed,
     * so none was compensated (a failed run marks its callback failed with the error).
     */
    async function assertNoRunFailed(kustomSessionId: string) {
      const kustomIpp = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      const callbacks = await waitFor(async () => {
        const all = await kustomIpp.listKustomIppCallbacks({ kustom_session_id: kustomSessionId })
        return all.length > 0 && all.every((c) => c.status !== "received") ? all : undefined
      }, "every callback to be processed")
      for (const callback of callbacks) {
        expect({ status: callback.status, attempts: callback.attempts, last_error: callback.last_error }).toEqual({
          status: "processed",
          attempts: 0,
          last_error: null,
        })
      }
    }

    it("creates one order, one capture and no refund from 50 concurrent deliveries of the same finalized event", async () => {
      fixture.playground.setCallbackFaults({ duplicate: 50, concurrent: true, types: ["ipp.session.finalized"] })
      const { cartId, sale } = await paidSale()
      await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
      await fixture.playground.waitForDeliveries(
        (deliveries) => deliveries.filter((d) => d.session_id === sale.kustomSessionId && d.type === "ipp.session.finalized" && d.status === 200).length >= 50,
        30_000
      )
      await assertOneOrderOneCapture(cartId, sale.kustomSessionId)
    })

    it("creates one order from 50 distinct, correctly signed finalized events processed at once", async () => {
      fixture.playground.setCallbackFaults({ dropAll: true })
      const { cartId, sale } = await paidSale()
      await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
      const signer = new Webhook(fixture.webhookSecret)
      const responses = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const id = `msg_storm_${i}`
          const now = new Date()
          const body = JSON.stringify({ id: `kevt_${i}`, timestamp: now.toISOString(), type: "ipp.session.finalized", data: { session_id: sale.kustomSessionId } })
          const response = await fetch(`${api.defaults.baseURL}/hooks/kustom-ipp`, {
            method: "POST",
            headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": signer.sign(id, now, body) },
            body,
          })
          return response.status
        })
      )
      expect(responses.every((status) => status === 200)).toBe(true)
      await assertOneOrderOneCapture(cartId, sale.kustomSessionId)
      const kustomIpp = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      await waitFor(async () => {
        const callbacks = await kustomIpp.listKustomIppCallbacks({ kustom_session_id: sale.kustomSessionId })
        return callbacks.length === 50 && callbacks.every((c) => c.status === "processed")
      }, "every callback to be processed")
    })

    it("acknowledges a signed callback for a session Kustom does not know, changes nothing, and says so once", async () => {
      const output = captureOutput()
      try {
        const { cartId, sale } = await paidSale()
        const unknown = "5a0e7c1e-0000-4000-8000-000000000404"
        const id = "msg_unknown_session"
        const now = new Date()
        const body = JSON.stringify({ id: "kevt_unknown", timestamp: now.toISOString(), type: "ipp.session.finalized", data: { session_id: unknown } })
        const response = await fetch(`${api.defaults.baseURL}/hooks/kustom-ipp`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "webhook-id": id,
            "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
            "webhook-signature": new Webhook(fixture.webhookSecret).sign(id, now, body),
          },
          body,
        })
        expect(response.status).toBe(200)
        const kustomIpp = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
        const [callback] = await waitFor(async () => {
          const callbacks = await kustomIpp.listKustomIppCallbacks({ kustom_session_id: unknown })
          return callbacks[0]?.status === "processed" ? callbacks : undefined
        }, "the callback to be processed")
        expect({ attempts: callback.attempts, last_error: callback.last_error }).toEqual({ attempts: 0, last_error: null })
        expect(await ordersOfCart(getContainer(), cartId)).toBe(0)
        expect((await kustomClient(fixture).sessions.get(sale.kustomSessionId)).status).toBe("CREATED")
        // What the logger wrote (the capture also sees each call to it): one warning.
        const lines = output
          .text()
          .split("\n")
          .filter((line) => line.startsWith("{") && line.includes(unknown))
        const told = lines.filter((line) => line.includes("Kustom does not know session"))
        expect(told).toHaveLength(1)
        expect(JSON.parse(told[0])).toMatchObject({ level: "warn", message: expect.stringContaining("nothing was done and it is not retried") })
        // The client's own line of the 404 does not promise another attempt.
        expect(lines.filter((line) => /-> 404/.test(line) && /attempt/.test(line))).toEqual([])
      } finally {
        output.restore()
      }
    })

    it("makes one order through Medusa's generic /hooks/payment route too, and tells of a forged callback there", async () => {
      fixture.playground.setCallbackFaults({ dropAll: true })
      const { headers } = await createAdminHeaders(getContainer())
      const lastCallback = async () => (await api.get("/admin/kustom-ipp/connection", { headers })).data.last_callback
      const output = captureOutput()
      try {
        const { cartId, sale } = await paidSale()
        await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
        const deliver = (signature: (id: string, now: Date, body: string) => string) => {
          const id = `msg_generic_${signature.name}`
          const now = new Date()
          const body = JSON.stringify({ id: "kevt_generic", timestamp: now.toISOString(), type: "ipp.session.finalized", data: { session_id: sale.kustomSessionId } })
          return fetch(`${api.defaults.baseURL}/hooks/payment/pay-in-store_kustom`, {
            method: "POST",
            headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": signature(id, now, body) },
            body,
          })
        }
        // Medusa's route answers 200 to anything and acts 5 s later: the log and the admin are
        // where a wrong secret shows.
        const forged = () => "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        expect((await deliver(forged)).status).toBe(200)
        await waitFor(
          async () => output.text().includes("rejected a callback on Medusa's /hooks/payment route (invalid_signature)"),
          "the rejection to be logged",
          30_000
        )
        expect(await lastCallback()).toMatchObject({ signature_ok: false, last_invalid_reason: "invalid_signature" })
        expect(await ordersOfCart(getContainer(), cartId)).toBe(0)

        const signer = new Webhook(fixture.webhookSecret)
        const signed = (id: string, now: Date, body: string) => signer.sign(id, now, body)
        expect((await deliver(signed)).status).toBe(200)
        const order = await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order", 30_000)
        const payments = order.payment_collections.flatMap((c: any) => c.payments)
        expect(payments).toHaveLength(1)
        expect(payments[0].captures).toHaveLength(1)
        expect(await ordersOfCart(getContainer(), cartId)).toBe(1)
        expect(await lastCallback()).toMatchObject({ signature_ok: true })
      } finally {
        output.restore()
      }
    })

    it("creates one order when finalized arrives before created and activated", async () => {
      fixture.playground.setCallbackFaults({ outOfOrder: true })
      const { cartId, sale } = await paidSale()
      await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
      await assertOneOrderOneCapture(cartId, sale.kustomSessionId)
      const types = fixture.playground.deliveries().filter((d) => d.session_id === sale.kustomSessionId).map((d) => d.type)
      expect(types.indexOf("ipp.session.finalized")).toBeLessThan(types.indexOf("ipp.session.created"))
    })

    it("creates one order when Kustom redelivers after the plugin answered 5xx", async () => {
      const kustomIpp = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      // The database refusing the first write is a fault the playground cannot produce.
      const original = kustomIpp.recordCallback.bind(kustomIpp)
      let failures = 0
      const spy = jest.spyOn(kustomIpp, "recordCallback").mockImplementation(async (input) => {
        if (input.event_type === "ipp.session.finalized" && failures++ === 0) throw new Error("database unavailable")
        return original(input)
      })
      try {
        const { cartId, sale } = await paidSale()
        await kustomClient(fixture).playground.simulateTap(sale.kustomSessionId)
        await assertOneOrderOneCapture(cartId, sale.kustomSessionId)
        const finalized = fixture.playground.deliveries().filter((d) => d.session_id === sale.kustomSessionId && d.type === "ipp.session.finalized")
        expect(finalized.map((d) => d.status)).toEqual([503, 200])
      } finally {
        spy.mockRestore()
      }
    })
  },
})
