import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { KustomIppClient } from "../../src/lib/kustom-ipp"
import { toMinorUnits } from "../../src/lib/session-mapping"
import { seedStore, type SeededStore } from "../../scripts/lib/seed-store"
import { TEST_API_KEY, usePlayground } from "../helpers/playground"
import { createCart, paidOrderOfCart, payInStore } from "../helpers/store-sale"
import { waitFor } from "../helpers/wait"

jest.setTimeout(180_000)

const fixture = usePlayground()

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    let store: SeededStore
    let kustom: KustomIppClient
    let deviceId: string

    beforeEach(async () => {
      fixture.connect(api.defaults.baseURL as string)
      kustom = new KustomIppClient({ apiKey: TEST_API_KEY, baseUrl: fixture.playground.url })
      store = await seedStore(getContainer())
      deviceId = (await kustom.playground.createDevice({ name: "Counter 1" })).id
    })

    it("turns a cart paid on the device into one order with a captured payment", async () => {
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: deviceId })

      const session = await kustom.sessions.get(sale.kustomSessionId)
      expect(session).toMatchObject({ status: "CREATED", device_id: deviceId, purchase_currency: "SEK" })
      expect(JSON.parse(session.merchant_data as string)).toMatchObject({ payment_session_id: sale.paymentSessionId, sale_kind: "cart", sale_id: cartId })

      await kustom.playground.simulateTap(sale.kustomSessionId, "SUCCESS")
      const order = await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")

      expect(toMinorUnits(order.total, "sek")).toBe(session.order_amount)
      const payments = order.payment_collections.flatMap((collection: any) => collection.payments)
      expect(payments).toHaveLength(1)
      expect(payments[0].provider_id).toBe("pp_pay-in-store_kustom")
      expect(payments[0].captured_at).toBeTruthy()
      expect(toMinorUnits(payments[0].captures[0].amount, "sek")).toBe(session.order_amount)

      const finalized = await kustom.sessions.get(sale.kustomSessionId)
      const kustomOrder = await kustom.orders.get(finalized.order_id as string)
      expect(kustomOrder).toMatchObject({ status: "CAPTURED", captured_amount: session.order_amount, refunded_amount: 0 })
    })
  },
})
