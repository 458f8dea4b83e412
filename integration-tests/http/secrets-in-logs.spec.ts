/**
 * Runs the full flows — cart paid on a device, a decline, a refund, a forged callback, an error
 * from Kustom — with everything the process writes captured, then looks for the API key, the
 * webhook secret (and its key bytes) and every callback signature in it.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { seedStore } from "../../scripts/lib/seed-store"
import { createAdminHeaders } from "../helpers/admin"
import { captureOutput } from "../helpers/capture-output"
import { createDevice, kustomClient, onDevice } from "../helpers/kustom"
import { TEST_API_KEY, usePlayground } from "../helpers/playground"
import { createCart, paidOrderOfCart, payInStore } from "../helpers/store-sale"
import { waitFor } from "../helpers/wait"

jest.setTimeout(180_000)

const fixture = usePlayground()
const output = captureOutput()
afterAll(() => output.restore())

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    it("never writes the API key, the webhook secret or a signature to any log", async () => {
      fixture.connect(api.defaults.baseURL as string)
      const store = await seedStore(getContainer())
      const { headers } = await createAdminHeaders(getContainer())
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await onDevice(fixture, device.token, sale.kustomSessionId, { outcome: "STOLEN_CARD" })
      await onDevice(fixture, device.token, sale.kustomSessionId, { outcome: "SUCCESS" })
      const order = await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")
      const [payment] = order.payment_collections.flatMap((c: any) => c.payments)
      await api.post(`/admin/payments/${payment.id}/refund`, { amount: 5 }, { headers })

      // A forged callback and a Kustom error are logged too.
      await api.post("/hooks/kustom-ipp", { type: "x" }, { headers: { "webhook-id": "m", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA" }, validateStatus: () => true })
      fixture.playground.injectFault({ method: "POST", path: "/ipp/v1/sessions", status: 401, times: 1 })
      const otherCart = await createCart(api, store)
      await payInStore(api, store, otherCart, { device_id: device.id }).catch(() => undefined)
      await kustomClient(fixture).sessions.get("does-not-exist").catch(() => undefined)

      const text = output.text()
      expect(text.length).toBeGreaterThan(1_000) // the capture did see the store's logs
      const secretKey = fixture.webhookSecret.slice("whsec_".length)
      const signatures = fixture.playground
        .deliveries()
        .flatMap((delivery) => delivery.signatures)
        .map((signature) => signature.split(",")[1])
      expect(signatures.length).toBeGreaterThan(3)
      const leaks = [TEST_API_KEY, fixture.webhookSecret, secretKey, Buffer.from(TEST_API_KEY).toString("base64"), ...signatures].filter((secret) =>
        text.includes(secret)
      )
      expect(leaks).toEqual([])
    })
  },
})
