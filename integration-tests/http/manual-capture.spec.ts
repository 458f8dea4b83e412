import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { toMinorUnits } from "../../src/lib/session-mapping"
import { seedStore, type SeededStore } from "../../scripts/lib/seed-store"
import { createAdminHeaders } from "../helpers/admin"
import { createDevice, kustomClient } from "../helpers/kustom"
import { usePlayground } from "../helpers/playground"
import { createCart, paidOrderOfCart, payInStore } from "../helpers/store-sale"
import { waitFor } from "../helpers/wait"

jest.setTimeout(180_000)

// Kustom only authorizes, and the store captures later ("capture: false").
const fixture = usePlayground({ captureMode: "manual" }, { KUSTOM_IPP_CAPTURE: "false" })

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    let store: SeededStore
    let headers: Record<string, string>

    beforeEach(async () => {
      fixture.connect(api.defaults.baseURL as string)
      store = await seedStore(getContainer())
      headers = (await createAdminHeaders(getContainer())).headers
    })

    it("authorizes on the device, captures from Medusa, and refunds in parts up to what was captured", async () => {
      const kustom = kustomClient(fixture)
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      await kustom.playground.simulateTap(sale.kustomSessionId)

      const order = await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")
      const [payment] = order.payment_collections.flatMap((collection: any) => collection.payments)
      expect(payment.captured_at).toBeFalsy()
      const kustomOrderId = (await kustom.sessions.get(sale.kustomSessionId)).order_id as string
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ status: "AUTHORIZED", captured_amount: 0 })

      await api.post(`/admin/payments/${payment.id}/capture`, {}, { headers })
      const total = toMinorUnits(order.total, "sek")
      expect(await kustom.orders.get(kustomOrderId)).toMatchObject({ status: "CAPTURED", captured_amount: total })
      // A second capture request changes nothing in Kustom.
      await api.post(`/admin/payments/${payment.id}/capture`, {}, { headers, validateStatus: () => true })
      expect((await kustom.orders.get(kustomOrderId)).captures).toHaveLength(1)

      await api.post(`/admin/payments/${payment.id}/refund`, { amount: 10 }, { headers })
      await api.post(`/admin/payments/${payment.id}/refund`, { amount: 20 }, { headers })
      let kustomOrder = await kustom.orders.get(kustomOrderId)
      expect(kustomOrder.refunded_amount).toBe(3_000)
      expect(kustomOrder.refunds.map((refund) => refund.refunded_amount)).toEqual([1_000, 2_000])

      const tooMuch = await api.post(`/admin/payments/${payment.id}/refund`, { amount: order.total }, { headers, validateStatus: () => true })
      expect(tooMuch.status).toBeGreaterThanOrEqual(400)
      expect(tooMuch.status).toBeLessThan(500)
      kustomOrder = await kustom.orders.get(kustomOrderId)
      expect(kustomOrder.refunded_amount).toBe(3_000)

      const rest = (total - 3_000) / 100
      await api.post(`/admin/payments/${payment.id}/refund`, { amount: rest }, { headers })
      expect((await kustom.orders.get(kustomOrderId)).refunded_amount).toBe(total)
    })
  },
})
