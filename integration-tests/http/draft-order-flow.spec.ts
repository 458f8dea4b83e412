import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { KustomIppClient } from "../../src/lib/kustom-ipp"
import { toMinorUnits } from "../../src/lib/session-mapping"
import { seedStore, type SeededStore } from "../../scripts/lib/seed-store"
import { createAdminHeaders } from "../helpers/admin"
import { createDraftOrder } from "../helpers/draft-order"
import { TEST_API_KEY, usePlayground } from "../helpers/playground"
import { createCart, payInStore } from "../helpers/store-sale"
import { waitFor } from "../helpers/wait"

jest.setTimeout(180_000)

const fixture = usePlayground({ locations: [{ id: "loc-main", name: "Main Street", city: "Stockholm" }, { id: "loc-harbour", name: "Harbour Kiosk", city: "Gothenburg" }] })

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    let store: SeededStore
    let kustom: KustomIppClient
    let headers: Record<string, string>

    beforeEach(async () => {
      fixture.connect(api.defaults.baseURL as string)
      kustom = new KustomIppClient({ apiKey: TEST_API_KEY, baseUrl: fixture.playground.url })
      store = await seedStore(getContainer())
      headers = (await createAdminHeaders(getContainer())).headers
    })

    async function paidOrder(orderId: string) {
      const query = getContainer().resolve(ContainerRegistrationKeys.QUERY)
      const {
        data: [order],
      } = await query.graph({
        entity: "order",
        fields: ["id", "is_draft_order", "status", "total", "summary.*", "payment_collections.payments.*", "payment_collections.payments.captures.*"],
        filters: { id: orderId },
      })
      return order && !(order as any).is_draft_order ? (order as any) : undefined
    }

    it("sends a draft order to the device and converts it into an order once paid", async () => {
      const draft = await createDraftOrder(api, store, headers)
      const device = await kustom.playground.createDevice({ name: "Counter 2" })

      const { data: sent } = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { device_id: device.id }, { headers })
      expect(sent.sale).toMatchObject({ kind: "draft_order", id: draft.id, completed: false })
      expect(sent.payment).toMatchObject({ device_id: device.id, kustom_status: "CREATED", status: "pending", live: true })
      const session = await kustom.sessions.get(sent.payment.kustom_session_id)
      expect(session.merchant_reference1).toBe(`Draft order #${draft.display_id}`)

      await kustom.playground.simulateTap(session.session_id)
      const order = await waitFor(() => paidOrder(draft.id), "the converted order")

      expect(order.status).toBe("pending")
      expect(toMinorUnits(order.total, "sek")).toBe(session.order_amount)
      const payments = order.payment_collections.flatMap((collection: any) => collection.payments)
      expect(payments).toHaveLength(1)
      expect(payments[0].captured_at).toBeTruthy()
      expect(toMinorUnits(payments[0].captures[0].amount, "sek")).toBe(session.order_amount)
      // The order shows the money as paid, not outstanding.
      expect(toMinorUnits(order.summary.pending_difference, "sek")).toBe(0)
      expect(toMinorUnits(order.summary.transaction_total, "sek")).toBe(session.order_amount)

      const { data: after } = await api.get(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { headers })
      expect(after.sale).toMatchObject({ completed: true, order_id: draft.id })
      expect(after.payment).toMatchObject({ kustom_status: "FINALIZED" })
    })

    it("sends a payment that names no device to the default the store owner set in the admin", async () => {
      const device = await kustom.playground.createDevice({ name: "Counter default" })
      await api.post("/admin/kustom-ipp/device-defaults", { scope: "sales_channel", scope_id: store.salesChannelId, device_id: device.id }, { headers })
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, {})
      expect(sale.paymentSession.data.device_id).toBe(device.id)
      expect((await kustom.sessions.get(sale.kustomSessionId)).device_id).toBe(device.id)
    })

    it("sends a payment that names no device to the default of the location its goods leave from, and the admin preselects it", async () => {
      await kustom.playground.createDevice({ name: "Counter", location_id: "loc-main" })
      const kiosk = await kustom.playground.createDevice({ name: "Harbour kiosk", location_id: "loc-harbour" })
      // The pick-up stock location is linked to Kustom's harbour location, whose default is the kiosk.
      await api.post("/admin/kustom-ipp/location-links", { stock_location_id: store.stockLocationId, kustom_location_id: "loc-harbour" }, { headers })
      await api.post("/admin/kustom-ipp/device-defaults", { scope: "location", scope_id: "loc-harbour", device_id: kiosk.id }, { headers })

      // Before any payment was sent (nothing "last used" to suggest), the draft suggests the kiosk.
      const draft = await createDraftOrder(api, store, headers)
      const { data: view } = await api.get(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, { headers })
      expect(view.suggested_device_id).toBe(kiosk.id)

      const sale = await payInStore(api, store, await createCart(api, store), {})
      expect((await kustom.sessions.get(sale.kustomSessionId)).device_id).toBe(kiosk.id)
    })

    it("refuses to send without a device and names the field", async () => {
      const draft = await createDraftOrder(api, store, headers)
      const response = await api.post(`/admin/kustom-ipp/draft-orders/${draft.id}/payment`, {}, { headers, validateStatus: () => true })
      expect(response.status).toBe(400)
      expect(response.data.message).toMatch(/device_id/)
    })

    it("refuses callers without an admin session", async () => {
      const response = await api.get("/admin/kustom-ipp/draft-orders/anything/payment", { validateStatus: () => true })
      expect(response.status).toBe(401)
    })
  },
})
