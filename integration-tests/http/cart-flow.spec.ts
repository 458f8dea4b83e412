import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { createPaymentSessionsWorkflow } from "@medusajs/medusa/core-flows"
import { KustomIppClient } from "../../src/lib/kustom-ipp"
import { toMinorUnits } from "../../src/lib/session-mapping"
import { PAY_IN_STORE_PROVIDER_ID, seedStore, type SeededStore } from "../../scripts/lib/seed-store"
import { createAdminHeaders } from "../helpers/admin"
import { sessionCreates } from "../helpers/kustom"
import { TEST_API_KEY, usePlayground } from "../helpers/playground"
import { createCart, ordersOfCart, paidOrderOfCart, payInStore } from "../helpers/store-sale"
import { waitFor } from "../helpers/wait"
import { waitForLock } from "../../src/lib/locking"

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

    it("sends nothing to the device for a cart Medusa would not complete, and sends it once the cart is fixed", async () => {
      const headers = { "x-publishable-api-key": store.publishableKey }
      // Goods to ship, and no shipping method: Medusa's cart completion refuses this cart.
      const cartId = await createCart(api, store, [{ variant_id: store.variants.mug, quantity: 1 }], { shippingMethod: false })
      const {
        data: { payment_collection: collection },
      } = await api.post("/store/payment-collections", { cart_id: cartId }, { headers })
      const creates = sessionCreates(fixture)
      const refused = await api.post(
        `/store/payment-collections/${collection.id}/payment-sessions`,
        { provider_id: PAY_IN_STORE_PROVIDER_ID, data: { device_id: deviceId } },
        { headers, validateStatus: () => true }
      )
      expect(refused.status).toBe(400)
      expect(refused.data).toEqual({
        type: "invalid_data",
        message:
          "This cart cannot become an order yet, so nothing was sent to the device: No shipping method selected but the cart contains items that require shipping. Fix the cart, then send the payment again.",
      })
      expect(sessionCreates(fixture)).toBe(creates)

      await api.post(`/store/carts/${cartId}/shipping-methods`, { option_id: store.shippingOptionId }, { headers })
      // The mug in a shipping profile the cart's shipping method does not serve: refused too.
      const admin = (await createAdminHeaders(getContainer())).headers
      const query = getContainer().resolve("query")
      const {
        data: [variant],
      } = await query.graph({ entity: "product_variant", fields: ["product_id", "product.shipping_profile.id"], filters: { id: store.variants.mug } })
      const {
        data: { shipping_profile: freight },
      } = await api.post("/admin/shipping-profiles", { name: "Freight", type: "freight" }, { headers: admin })
      const moveMug = (profileId: string) => api.post(`/admin/products/${variant.product_id}`, { shipping_profile_id: profileId }, { headers: admin })
      await moveMug(freight.id)
      const unserved = await api.post(
        `/store/payment-collections/${collection.id}/payment-sessions`,
        { provider_id: PAY_IN_STORE_PROVIDER_ID, data: { device_id: deviceId } },
        { headers, validateStatus: () => true }
      )
      expect({ status: unserved.status, message: unserved.data.message }).toEqual({
        status: 400,
        message:
          "This cart cannot become an order yet, so nothing was sent to the device: The cart items require shipping profiles that are not satisfied by the current shipping methods. Fix the cart, then send the payment again.",
      })
      expect(sessionCreates(fixture)).toBe(creates)
      await moveMug((variant as any).product.shipping_profile.id)

      const sale = await payInStore(api, store, cartId, { device_id: deviceId })
      await kustom.playground.simulateTap(sale.kustomSessionId, "SUCCESS")
      const order = await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")
      expect(toMinorUnits(order.total, "sek")).toBe((await kustom.sessions.get(sale.kustomSessionId)).order_amount)
    })

    it("refuses a new payment session on a collection paid in store, and one on no collection, and changes nothing", async () => {
      const headers = { "x-publishable-api-key": store.publishableKey }
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: deviceId })
      await kustom.playground.simulateTap(sale.kustomSessionId, "SUCCESS")
      await waitFor(() => paidOrderOfCart(getContainer(), cartId), "the order")
      const sessionsNow = () => getContainer().resolve(Modules.PAYMENT).listPaymentSessions({ payment_collection_id: sale.paymentCollectionId }, { select: ["id", "status"] })
      const before = await sessionsNow()
      expect(before).toEqual([{ id: sale.paymentSessionId, status: "authorized" }])
      for (const body of [
        { provider_id: PAY_IN_STORE_PROVIDER_ID, data: { device_id: deviceId } },
        { provider_id: "pp_system_default", data: {} },
      ]) {
        const refused = await api.post(`/store/payment-collections/${sale.paymentCollectionId}/payment-sessions`, body, { headers, validateStatus: () => true })
        expect([refused.status, refused.data]).toEqual([
          400,
          {
            type: "not_allowed",
            message: `This payment collection is already paid in store (payment session ${sale.paymentSessionId}): a new payment session would replace the payment it records. Nothing was changed.`,
          },
        ])
      }
      expect(await sessionsNow()).toEqual(before)
      const unknown = await api.post(`/store/payment-collections/pay_col_missing/payment-sessions`, { provider_id: PAY_IN_STORE_PROVIDER_ID, data: {} }, { headers, validateStatus: () => true })
      expect([unknown.status, unknown.data.message]).toEqual([404, "Payment collection pay_col_missing was not found"])
    })

    it("refuses data Medusa cannot copy before the payment waiting on the device is touched", async () => {
      const headers = { "x-publishable-api-key": store.publishableKey }
      const sale = await payInStore(api, store, await createCart(api, store), { device_id: deviceId })
      let deep: unknown = 1
      for (let level = 0; level < 40; level++) deep = [deep]
      for (const [data, message] of [
        [{ device_id: deviceId, hasOwnProperty: 1 }, 'data: a field must not be named "hasOwnProperty", the name of a method every object has'],
        [{ device_id: deviceId, deep }, `data.deep${".0".repeat(31)}: must not nest more than 32 levels deep`],
      ] as const) {
        const refused = await api.post(`/store/payment-collections/${sale.paymentCollectionId}/payment-sessions`, { provider_id: PAY_IN_STORE_PROVIDER_ID, data }, { headers, validateStatus: () => true })
        expect([refused.status, refused.data]).toEqual([400, { type: "invalid_data", message }])
      }
      expect((await kustom.sessions.get(sale.kustomSessionId)).status).toBe("CREATED")
    })

    it("finishes a cart change begun before the cart had a payment collection before one can be made", async () => {
      const headers = { "x-publishable-api-key": store.publishableKey }
      const cartId = await createCart(api, store)
      // Held as a payment collection's creation holds it: the change waits for it, as a creation waits for the change.
      const release = await waitForLock(getContainer(), `kustom-ipp-cart-payment-collection:${cartId}`, { waitSeconds: 5, expireSeconds: 30 })
      let answered = false
      const change = api.post(`/store/carts/${cartId}/line-items`, { variant_id: store.variants.mug, quantity: 1 }, { headers }).then((response: { status: number }) => {
        answered = true
        return response
      })
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      expect(answered).toBe(false)
      await release()
      expect((await change).status).toBe(200)
    })

    it("pays no cart with another sale's paid Kustom session, however the session is named", async () => {
      const headers = { "x-publishable-api-key": store.publishableKey }
      const paidSale = await payInStore(api, store, await createCart(api, store), { device_id: deviceId })
      await kustom.playground.simulateTap(paidSale.kustomSessionId, "SUCCESS")
      await waitFor(() => paidOrderOfCart(getContainer(), paidSale.cartId), "the paid sale's order")
      const paidSession = await kustom.sessions.get(paidSale.kustomSessionId)
      const kustomOrderBefore = await kustom.orders.get(paidSession.order_id as string)

      // Another cart of the same goods, so the same amount: only whose session it is tells them apart.
      const cartId = await createCart(api, store)
      const {
        data: { payment_collection: collection },
      } = await api.post("/store/payment-collections", { cart_id: cartId }, { headers })
      const named = (data: Record<string, unknown>) =>
        api.post(`/store/payment-collections/${collection.id}/payment-sessions`, { provider_id: PAY_IN_STORE_PROVIDER_ID, data }, { headers, validateStatus: () => true })
      const told = "is set by the plugin, not by the caller: send data.device_id only (or nothing, for the default device)"
      for (const [data, field] of [
        [{ kustom_session_id: paidSale.kustomSessionId }, "kustom_session_id"],
        [{ device_id: deviceId, kustom_order_id: paidSession.order_id }, "kustom_order_id"],
      ] as const) {
        const refused = await named(data)
        expect([refused.status, refused.data]).toEqual([400, { type: "invalid_data", message: `data.${field}: ${told}` }])
      }

      // Past the store route (a store's own workflow): the provider does not take the session either.
      await expect(
        createPaymentSessionsWorkflow(getContainer()).run({
          input: { payment_collection_id: collection.id, provider_id: PAY_IN_STORE_PROVIDER_ID, data: { kustom_session_id: paidSale.kustomSessionId } },
        })
      ).rejects.toMatchObject({
        message: `data.kustom_session_id: ${JSON.stringify(paidSale.kustomSessionId)} is not a Kustom session sent for this cart. The plugin sets it; send the payment with data.device_id only (or nothing, for the default device).`,
      })
      expect(await getContainer().resolve(Modules.PAYMENT).listPaymentSessions({ payment_collection_id: collection.id })).toEqual([])

      // And a payment session whose data names the paid session anyway is not authorized by it.
      const sale = await payInStore(api, store, cartId, { device_id: deviceId })
      const pg = getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION)
      await pg("payment_session")
        .where({ id: sale.paymentSessionId })
        .update({ data: JSON.stringify({ ...sale.paymentSession.data, kustom_session_id: paidSale.kustomSessionId }) })
      const completed = await api.post(`/store/carts/${cartId}/complete`, {}, { headers, validateStatus: () => true })
      expect(completed.status).toBe(400)
      expect(completed.data.type).not.toBe("order")
      expect(await ordersOfCart(getContainer(), cartId)).toBe(0)
      const stored = await getContainer().resolve(Modules.PAYMENT).retrievePaymentSession(sale.paymentSessionId, { select: ["status", "data"] })
      expect(stored).toMatchObject({
        status: "error",
        data: { problem: `Kustom session ${paidSale.kustomSessionId} was not sent for this sale; it does not pay it` },
      })
      // The paid sale's Kustom order moved no money.
      expect(await kustom.orders.get(paidSession.order_id as string)).toEqual(kustomOrderBefore)
    })
  },
})
